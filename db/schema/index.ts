export * from "./auth";
export * from "./metrics";
export * from "./alerts";
export * from "./audit";
export * from "./jobs";
export * from "./scrape";
export * from "./checks";
export * from "./rollups";
