-- DEFAULT 0 and the backfill let a database that already holds batches upgrade (SQLite refuses a NOT NULL column without a default on a non-empty table): each model's batches get 0..n-1 in creation order.
ALTER TABLE `batches` ADD `ordinal` integer NOT NULL DEFAULT 0;--> statement-breakpoint
UPDATE `batches` SET `ordinal` = (SELECT count(*) FROM `batches` AS `earlier` WHERE `earlier`.`model` = `batches`.`model` AND (`earlier`.`created_at` < `batches`.`created_at` OR (`earlier`.`created_at` = `batches`.`created_at` AND `earlier`.`id` < `batches`.`id`)));--> statement-breakpoint
CREATE UNIQUE INDEX `batches_by_ordinal` ON `batches` (`model`,`ordinal`);
