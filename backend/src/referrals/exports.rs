//! Referral figures as export rows (CSV or XLSX through
//! [`crate::figures::download::complete`]): the groups with a last row of
//! totals, or the person split, each column with its HXL hashtag. The
//! rows carry figures only: never a participant code, a name or a note.

use super::figures::{Counts, GroupBy, ReferralFigures};
use crate::figures::exports::Cell;

const FIGURE_COLUMNS: [(&str, &str); 7] = [
    ("Referrals made", "#indicator+referrals+made"),
    ("Accepted", "#indicator+referrals+accepted"),
    ("Declined", "#indicator+referrals+declined"),
    (
        "Completed (service received)",
        "#indicator+referrals+completed",
    ),
    ("Overdue", "#indicator+referrals+overdue"),
    (
        "Median days to acceptance",
        "#indicator+days+acceptance+median",
    ),
    ("Median days to service", "#indicator+days+service+median"),
];

fn figure_cells(c: &Counts) -> Vec<Cell> {
    let n = |v: i64| Cell::Number(v as f64);
    let m = |v: Option<f64>| v.map_or(Cell::Text(String::new()), Cell::Number);
    vec![
        n(c.made),
        n(c.accepted),
        n(c.declined),
        n(c.completed),
        n(c.overdue),
        m(c.median_days_to_acceptance),
        m(c.median_days_to_service),
    ]
}

/// The groups as export rows (a last row "All" with the totals), with the
/// header and its HXL hashtags. Never a code, a name or a note.
pub fn group_rows(f: &ReferralFigures) -> (Vec<&'static str>, Vec<&'static str>, Vec<Vec<Cell>>) {
    let (label_tag, code_tag) = f.group_by.unwrap_or(GroupBy::Category).hxl();
    let mut headers = vec!["Period start", "Period end", "Side", "Group", "Group code"];
    let mut tags = vec![
        "#date+start",
        "#date+end",
        "#meta+side",
        label_tag,
        code_tag,
    ];
    headers.extend(FIGURE_COLUMNS.iter().map(|c| c.0));
    tags.extend(FIGURE_COLUMNS.iter().map(|c| c.1));
    let head = |label: &str, code: &str| {
        vec![
            Cell::Text(f.period.from.clone()),
            Cell::Text(f.period.to.clone()),
            Cell::Text(f.side.as_str().into()),
            Cell::Text(label.into()),
            Cell::Text(code.into()),
        ]
    };
    let mut rows: Vec<Vec<Cell>> = f
        .groups
        .iter()
        .map(|g| {
            let mut row = head(&g.label, g.pcode.as_deref().unwrap_or(&g.key));
            row.extend(figure_cells(&g.counts));
            row
        })
        .collect();
    let mut all = head("All", "");
    all.extend(figure_cells(&f.totals));
    rows.push(all);
    (headers, tags, rows)
}

/// The person split as export rows, with the header and its HXL hashtags.
pub fn person_rows(f: &ReferralFigures) -> (Vec<&'static str>, Vec<&'static str>, Vec<Vec<Cell>>) {
    let headers = vec![
        "Period start",
        "Period end",
        "Side",
        "Sex",
        "Age band",
        "Disability",
        "Displacement",
        "Referrals made",
        "Accepted",
        "Completed (service received)",
        "Overdue",
    ];
    let tags = vec![
        "#date+start",
        "#date+end",
        "#meta+side",
        "#sex",
        "#age+group",
        "#disabled",
        "#population+type",
        "#indicator+referrals+made",
        "#indicator+referrals+accepted",
        "#indicator+referrals+completed",
        "#indicator+referrals+overdue",
    ];
    let rows = f
        .by_person
        .iter()
        .map(|p| {
            vec![
                Cell::Text(f.period.from.clone()),
                Cell::Text(f.period.to.clone()),
                Cell::Text(f.side.as_str().into()),
                Cell::Text(p.sex.clone()),
                Cell::Text(p.age_band.clone()),
                Cell::Text(if p.has_disability { "yes" } else { "no" }.into()),
                Cell::Text(p.displacement.clone()),
                Cell::Number(p.made as f64),
                Cell::Number(p.accepted as f64),
                Cell::Number(p.completed as f64),
                Cell::Number(p.overdue as f64),
            ]
        })
        .collect();
    (headers, tags, rows)
}
