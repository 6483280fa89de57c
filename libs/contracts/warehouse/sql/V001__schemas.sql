-- Medallion layers: one database, three schemas (design ADR-004).
CREATE SCHEMA IF NOT EXISTS bronze;
CREATE SCHEMA IF NOT EXISTS silver;
CREATE SCHEMA IF NOT EXISTS gold;

COMMENT ON SCHEMA bronze IS 'Raw events as the streaming jobs wrote them, plus reference data';
COMMENT ON SCHEMA silver IS 'Cleaned, deduplicated models (dbt staging)';
COMMENT ON SCHEMA gold IS 'Marts for analytics (dbt marts)';
