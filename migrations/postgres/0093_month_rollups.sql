-- The summable counts per month as well as per day (docs/design.md §3): a
-- range's whole months read one row per month × site × type, however many
-- days and records lie behind it; the days at its edges still read the
-- daily tables. Kept in step by rollups::store::contribute with the daily
-- ones, in the record's transaction.
CREATE TABLE activity_months (
    month TEXT NOT NULL,
    site_id BIGINT NOT NULL,
    activity_type_id BIGINT NOT NULL,
    flagged BIGINT NOT NULL,
    activities BIGINT NOT NULL,
    minutes BIGINT NOT NULL,
    attendances BIGINT NOT NULL,
    tally_disabled BIGINT NOT NULL,
    PRIMARY KEY (month, site_id, activity_type_id, flagged)
);

CREATE TABLE tally_months (
    month TEXT NOT NULL,
    site_id BIGINT NOT NULL,
    activity_type_id BIGINT NOT NULL,
    flagged BIGINT NOT NULL,
    sex TEXT NOT NULL,
    age_band TEXT NOT NULL,
    count BIGINT NOT NULL,
    PRIMARY KEY (month, site_id, activity_type_id, flagged, sex, age_band)
);

INSERT INTO activity_months (month, site_id, activity_type_id, flagged, activities, minutes, attendances, tally_disabled)
SELECT SUBSTR(day, 1, 7), site_id, activity_type_id, flagged, SUM(activities), SUM(minutes), SUM(attendances), SUM(tally_disabled)
FROM activity_days GROUP BY SUBSTR(day, 1, 7), site_id, activity_type_id, flagged;

INSERT INTO tally_months (month, site_id, activity_type_id, flagged, sex, age_band, count)
SELECT SUBSTR(day, 1, 7), site_id, activity_type_id, flagged, sex, age_band, SUM(count)
FROM tally_days GROUP BY SUBSTR(day, 1, 7), site_id, activity_type_id, flagged, sex, age_band;

-- The site table names each site's last day of activity: a lookup per site
-- by (site, day), not a scan of every day of every site for each site.
CREATE INDEX activity_days_by_site ON activity_days(site_id, day);
