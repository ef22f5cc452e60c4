CREATE TABLE "dashboard_pin" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"metric" text NOT NULL,
	"service" text,
	"aggregation" text DEFAULT 'last' NOT NULL,
	"window_seconds" integer DEFAULT 60 NOT NULL,
	"title" text,
	"unit" text,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "alert_rule" ADD COLUMN "denominator" text;--> statement-breakpoint
ALTER TABLE "dashboard_pin" ADD CONSTRAINT "dashboard_pin_created_by_user_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."user"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "dashboard_pin_metric_idx" ON "dashboard_pin" USING btree ("metric",coalesce("service", ''),"aggregation");