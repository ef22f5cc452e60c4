CREATE TABLE "health_check" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"url" text NOT NULL,
	"method" text DEFAULT 'GET' NOT NULL,
	"expected_status" integer DEFAULT 200 NOT NULL,
	"timeout_ms" integer DEFAULT 5000 NOT NULL,
	"interval_seconds" integer DEFAULT 30 NOT NULL,
	"body_condition" text,
	"warning_latency_ms" integer,
	"enabled" boolean DEFAULT true NOT NULL,
	"last_checked_at" timestamp with time zone,
	"last_state" text,
	"last_reason" text,
	"last_latency_ms" double precision,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "health_check_name_idx" ON "health_check" USING btree ("name");