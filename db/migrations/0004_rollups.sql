CREATE TABLE "rollup_1h" (
	"series_id" integer NOT NULL,
	"bucket" timestamp with time zone NOT NULL,
	"count" integer NOT NULL,
	"sum" double precision NOT NULL,
	"min" double precision NOT NULL,
	"max" double precision NOT NULL,
	"sketch" jsonb NOT NULL,
	CONSTRAINT "rollup_1h_series_id_bucket_pk" PRIMARY KEY("series_id","bucket")
);
--> statement-breakpoint
CREATE TABLE "rollup_1m" (
	"series_id" integer NOT NULL,
	"bucket" timestamp with time zone NOT NULL,
	"count" integer NOT NULL,
	"sum" double precision NOT NULL,
	"min" double precision NOT NULL,
	"max" double precision NOT NULL,
	"sketch" jsonb NOT NULL,
	CONSTRAINT "rollup_1m_series_id_bucket_pk" PRIMARY KEY("series_id","bucket")
);
--> statement-breakpoint
CREATE TABLE "rollup_backfill" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"from_ts" timestamp with time zone NOT NULL,
	"to_ts" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "rollup_1h_bucket_brin" ON "rollup_1h" USING brin ("bucket");--> statement-breakpoint
CREATE INDEX "rollup_1m_bucket_brin" ON "rollup_1m" USING brin ("bucket");--> statement-breakpoint
CREATE INDEX "sample_ts_brin" ON "sample" USING brin ("ts");