ALTER TYPE "public"."alert_status" ADD VALUE 'pending' BEFORE 'firing';--> statement-breakpoint
CREATE TABLE "alert_event" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"alert_id" uuid NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"from_status" text NOT NULL,
	"to_status" text NOT NULL,
	"actor_id" uuid,
	"value" double precision,
	"note" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "silence" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"matcher" jsonb NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"reason" text NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
DROP INDEX "alert_history_open_rule_idx";--> statement-breakpoint
ALTER TABLE "alert_history" ALTER COLUMN "metric_value" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "alert_history" ADD COLUMN "fingerprint" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "alert_history" ADD COLUMN "labels" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "alert_history" ADD COLUMN "fired_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "alert_history" ADD COLUMN "notify_state" text;--> statement-breakpoint
ALTER TABLE "alert_history" ADD COLUMN "held_by" text;--> statement-breakpoint
ALTER TABLE "alert_history" ADD COLUMN "notified_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "alert_history" ADD COLUMN "resolved_by" uuid;--> statement-breakpoint
ALTER TABLE "alert_rule" ADD COLUMN "tags" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "alert_rule" ADD COLUMN "min_samples" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "alert_rule" ADD COLUMN "clear_threshold" double precision;--> statement-breakpoint
ALTER TABLE "alert_rule" ADD COLUMN "for_seconds" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "alert_rule" ADD COLUMN "keep_firing_for_seconds" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "alert_rule" ADD COLUMN "no_data" text DEFAULT 'keep' NOT NULL;--> statement-breakpoint
ALTER TABLE "alert_rule" ADD COLUMN "labels" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "alert_rule" ADD COLUMN "runbook_url" text;--> statement-breakpoint
ALTER TABLE "alert_rule" ADD COLUMN "depends_on" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "alert_event" ADD CONSTRAINT "alert_event_alert_id_alert_history_id_fk" FOREIGN KEY ("alert_id") REFERENCES "public"."alert_history"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alert_event" ADD CONSTRAINT "alert_event_actor_id_user_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."user"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "silence" ADD CONSTRAINT "silence_created_by_user_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."user"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "alert_event_alert_idx" ON "alert_event" USING btree ("alert_id","at");--> statement-breakpoint
CREATE INDEX "silence_ends_idx" ON "silence" USING btree ("ends_at");--> statement-breakpoint
ALTER TABLE "alert_history" ADD CONSTRAINT "alert_history_resolved_by_user_id_fk" FOREIGN KEY ("resolved_by") REFERENCES "public"."user"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "alert_history_open_fingerprint_idx" ON "alert_history" USING btree ("rule_id","fingerprint") WHERE "alert_history"."resolved_at" is null;--> statement-breakpoint
CREATE INDEX "alert_history_rule_notified_idx" ON "alert_history" USING btree ("rule_id","notified_at");