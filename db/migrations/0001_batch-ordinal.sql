ALTER TABLE `batches` ADD `ordinal` integer NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `batches_by_ordinal` ON `batches` (`model`,`ordinal`);