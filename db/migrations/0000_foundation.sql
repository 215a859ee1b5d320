CREATE TABLE `batches` (
	`model` text NOT NULL,
	`id` text NOT NULL,
	`dataset` text NOT NULL,
	`count` integer NOT NULL,
	`data_shape` text NOT NULL,
	`label_shape` text NOT NULL,
	`data_dtype` text NOT NULL,
	`label_dtype` text NOT NULL,
	`data_size` integer NOT NULL,
	`label_size` integer NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	PRIMARY KEY(`model`, `id`),
	FOREIGN KEY (`model`) REFERENCES `models`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `batches_by_dataset` ON `batches` (`model`,`dataset`);--> statement-breakpoint
CREATE TABLE `datasets` (
	`model` text NOT NULL,
	`kind` text NOT NULL,
	`id` text NOT NULL,
	`shape` text NOT NULL,
	`parser` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`expires_at` integer NOT NULL,
	`size` integer,
	`etag` text,
	`content_type` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	PRIMARY KEY(`model`, `kind`, `id`),
	FOREIGN KEY (`model`) REFERENCES `models`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `models` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`expires_at` integer NOT NULL,
	`size` integer,
	`etag` text,
	`content_type` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `parsers` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`expires_at` integer NOT NULL,
	`size` integer,
	`etag` text,
	`content_type` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `session_losses` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`model` text NOT NULL,
	`session` text NOT NULL,
	`version` integer NOT NULL,
	`loss` real NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `session_losses_by_session` ON `session_losses` (`model`,`session`,`seq`);--> statement-breakpoint
CREATE TABLE `sessions` (
	`model` text NOT NULL,
	`id` text NOT NULL,
	`shape` text NOT NULL,
	`alpha` real NOT NULL,
	`loss` real NOT NULL,
	`weights` blob NOT NULL,
	`version` integer DEFAULT 0 NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	PRIMARY KEY(`model`, `id`),
	FOREIGN KEY (`model`) REFERENCES `models`(`id`) ON UPDATE no action ON DELETE cascade
);
