CREATE TABLE "rollup_watermark" (
	"id" integer PRIMARY KEY NOT NULL,
	"rolled_to" timestamp with time zone NOT NULL
);
--> statement-breakpoint
DROP INDEX "sample_ts_brin";--> statement-breakpoint
CREATE INDEX "sample_ts_brin" ON "sample" USING brin ("ts") WITH (autosummarize=true);