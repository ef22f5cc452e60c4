CREATE TABLE "job_monitor" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"slug" text NOT NULL,
	"name" text NOT NULL,
	"period_seconds" integer NOT NULL,
	"grace_seconds" integer DEFAULT 300 NOT NULL,
	"min_runtime_seconds" integer,
	"max_runtime_seconds" integer,
	"last_started_at" timestamp with time zone,
	"last_finished_at" timestamp with time zone,
	"last_outcome" text,
	"last_duration_ms" double precision,
	"last_success_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "job_monitor_slug_idx" ON "job_monitor" USING btree ("slug");