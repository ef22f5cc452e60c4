CREATE TABLE "anomaly_event" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"watch_id" uuid NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone,
	"score" double precision NOT NULL,
	"peak_score" double precision NOT NULL,
	"value" double precision,
	"expected" double precision,
	"explanation" text NOT NULL,
	"details" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "anomaly_watch" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"metric" text NOT NULL,
	"service" text,
	"stat" text DEFAULT 'avg' NOT NULL,
	"label" text NOT NULL,
	"is_default" boolean DEFAULT false NOT NULL,
	"is_active" boolean DEFAULT true NOT NULL,
	"detector" jsonb,
	"judged_to" timestamp with time zone,
	"last_value" double precision,
	"last_expected" double precision,
	"last_score" double precision,
	"episode_run" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "alert_rule" ADD COLUMN "kind" text DEFAULT 'threshold' NOT NULL;--> statement-breakpoint
ALTER TABLE "anomaly_event" ADD CONSTRAINT "anomaly_event_watch_id_anomaly_watch_id_fk" FOREIGN KEY ("watch_id") REFERENCES "public"."anomaly_watch"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "anomaly_event_started_idx" ON "anomaly_event" USING btree ("started_at");--> statement-breakpoint
CREATE UNIQUE INDEX "anomaly_event_open_idx" ON "anomaly_event" USING btree ("watch_id") WHERE "anomaly_event"."ended_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "anomaly_watch_series_idx" ON "anomaly_watch" USING btree ("metric",coalesce("service", ''),"stat");