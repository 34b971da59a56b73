-- pgbench script of the transfers benchmark's `hot-account` shape (a payroll): every transaction
-- moves a small random amount from ONE account (pgbench_accounts aid 1) to a random other one,
-- so every transaction queues on that one row lock, as every transfer queues on the source's.
-- Run on a `pgbench -i -s N` database with `-s N` (for :scale) and -f this file.
\set target random(2, 100000 * :scale)
\set amount random(1, 100)
BEGIN;
UPDATE pgbench_accounts SET abalance = abalance - :amount WHERE aid = 1;
UPDATE pgbench_accounts SET abalance = abalance + :amount WHERE aid = :target;
INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (1, 1, :target, :amount, CURRENT_TIMESTAMP);
END;
