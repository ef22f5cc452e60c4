CREATE TABLE "scrape_target" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"url" text NOT NULL,
	"interval_seconds" integer DEFAULT 15 NOT NULL,
	"service" text,
	"enabled" boolean DEFAULT true NOT NULL,
	"last_scrape_at" timestamp with time zone,
	"last_duration_ms" double precision,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "scrape_target_name_idx" ON "scrape_target" USING btree ("name");