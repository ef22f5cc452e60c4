CREATE TYPE "public"."channel" AS ENUM('email', 'sms', 'slack');--> statement-breakpoint
CREATE TYPE "public"."delivery_kind" AS ENUM('fired', 'escalation', 'resolved', 'digest');--> statement-breakpoint
CREATE TYPE "public"."delivery_state" AS ENUM('planned', 'sending', 'retrying', 'sent', 'failed', 'held', 'digested', 'rate_limited', 'deduplicated', 'not_configured', 'silenced', 'inhibited');--> statement-breakpoint
CREATE TABLE "escalation_policy" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"severity" "severity",
	"tiers" jsonb NOT NULL,
	"repeat" integer DEFAULT 0 NOT NULL,
	"repeat_after_seconds" integer DEFAULT 900 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "notification_delivery" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"alert_id" uuid,
	"recipient_id" uuid,
	"channel" "channel" NOT NULL,
	"target" text NOT NULL,
	"kind" "delivery_kind" NOT NULL,
	"round" integer DEFAULT 0 NOT NULL,
	"tier" integer DEFAULT 0 NOT NULL,
	"state" "delivery_state" NOT NULL,
	"reason" text,
	"dedup_key" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"provider_message_id" text,
	"due_at" timestamp with time zone,
	"digest_id" uuid,
	"created_at" timestamp with time zone NOT NULL,
	"claimed_at" timestamp with time zone,
	"sent_at" timestamp with time zone,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "admin_notification_preference" ADD COLUMN "critical_breaks_quiet_hours" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "alert_rule" ADD COLUMN "escalation_policy_id" uuid;--> statement-breakpoint
ALTER TABLE "notification_delivery" ADD CONSTRAINT "notification_delivery_alert_id_alert_history_id_fk" FOREIGN KEY ("alert_id") REFERENCES "public"."alert_history"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_delivery" ADD CONSTRAINT "notification_delivery_recipient_id_user_id_fk" FOREIGN KEY ("recipient_id") REFERENCES "public"."user"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "escalation_policy_severity_idx" ON "escalation_policy" USING btree ("severity") WHERE "escalation_policy"."severity" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "notification_delivery_dedup_idx" ON "notification_delivery" USING btree ("dedup_key");--> statement-breakpoint
CREATE INDEX "notification_delivery_alert_idx" ON "notification_delivery" USING btree ("alert_id","created_at");--> statement-breakpoint
CREATE INDEX "notification_delivery_due_idx" ON "notification_delivery" USING btree ("state","due_at");--> statement-breakpoint
CREATE INDEX "notification_delivery_target_idx" ON "notification_delivery" USING btree ("channel","target","sent_at");--> statement-breakpoint
ALTER TABLE "alert_rule" ADD CONSTRAINT "alert_rule_escalation_policy_id_escalation_policy_id_fk" FOREIGN KEY ("escalation_policy_id") REFERENCES "public"."escalation_policy"("id") ON DELETE set null ON UPDATE no action;