"""Results of survey waves: snapshots of the engine's report, role views, pages and downloads."""
