ALTER TABLE `batches` ADD `data_etag` text;--> statement-breakpoint
ALTER TABLE `batches` ADD `label_etag` text;