-- Alerts from before 0007 fired when they opened and were announced then. (No alert can be
-- pending yet; and naming the new enum value here would fail: it is not committed until the
-- migrations' transaction is.)
UPDATE "alert_history" SET "fired_at" = "triggered_at", "notify_state" = 'notified', "notified_at" = "triggered_at" WHERE "fired_at" IS NULL;
