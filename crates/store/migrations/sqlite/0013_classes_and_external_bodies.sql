-- The three classes of petitions (条例 第十四条): every case records its class. Cases registered
-- before classes were recorded were handled as claims (申诉求决类), their reports as 检举控告类.
ALTER TABLE cases ADD COLUMN class TEXT NOT NULL DEFAULT 'claim';
UPDATE cases SET class = 'report', state = json_set(state, '$.class', 'report') WHERE is_report = 1;

-- Bodies above the deployment (the prefecture's or province's government, its petition office,
-- the 纪检监察 body one level up): requests sent to them are tracked until their decision comes.
ALTER TABLE units ADD COLUMN external BIGINT NOT NULL DEFAULT 0;
