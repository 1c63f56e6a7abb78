//! Site figures coordinators can trust (DESIGN.md §3): the [`engine`]
//! computes them once for the dashboard, the API and the exports; the
//! [`rollup`] keeps them fast; [`locks`] close reviewed months; [`targets`]
//! say what was planned; [`exports`] hand them to donors and clusters.

pub mod engine;
pub mod exports;
pub mod locks;
pub mod period;
pub mod rollup;
pub mod scope;
pub mod targets;

use std::collections::BTreeMap;

use axum::extract::{Query, State};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::CurrentUser;
use crate::error::{ApiError, ErrorBody};
use crate::http::Json;
use crate::validate::{dates, Checker};
use crate::AppState;
use engine::{Figures, Filter, Grouping, Totals};
use period::Period;
use scope::{Place, ScopeView};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(figures))
        .routes(routes!(site_table))
        .routes(routes!(locks::list_locks, locks::lock_month))
        .routes(routes!(locks::unlock_month))
        .routes(routes!(targets::list, targets::set))
        .routes(routes!(exports::figures_export))
        .routes(routes!(exports::records_export))
}

/// What every figures request may say.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct FiguresQuery {
    /// `programme` (default), `governorate:ID`, `district:ID`, `partner:ID` or `site:ID`.
    pub scope: Option<String>,
    /// `2026-10-05`, `2026-W40`, `2026-10` or `2026-Q3`; or give `from` and `to`.
    pub period: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub activity_type_id: Option<i64>,
    /// `group_session`, `awareness_event` or `cfs_day`.
    pub kind: Option<String>,
    /// Count flagged records (default true).
    pub include_flagged: Option<bool>,
    /// Break down by `next` (the level below the scope), `governorate`,
    /// `district`, `site`, `partner`, `month` or `week`.
    pub group: Option<String>,
    /// Exports: `csv` (default) or `xlsx`.
    pub format: Option<String>,
    /// Exports: add an HXL hashtag row under the header.
    pub hxl: Option<bool>,
}

/// A request read and checked: the place, its sites, the period, the filter.
pub struct Request {
    pub scope: ScopeView,
    pub place: Place,
    pub period: Period,
    pub filter: Filter,
}

impl FiguresQuery {
    pub async fn resolve(&self, state: &AppState, user: &CurrentUser) -> Result<Request, ApiError> {
        user.require_staff()?;
        let mut check = Checker::new();
        let place = check.parse(
            "scope",
            self.scope.as_deref().unwrap_or("programme"),
            Place::parse,
            "must be programme, or governorate:ID, district:ID, partner:ID, site:ID",
        );
        let period = match (&self.period, &self.from, &self.to) {
            (Some(p), None, None) => check.parse("period", p, Period::parse, "must be a day (2026-10-05), ISO week (2026-W40), month (2026-10) or quarter (2026-Q3)"),
            (None, Some(from), Some(to)) => {
                let range = Period::from_range(from, to);
                if range.is_none() {
                    check.fail("from", "from and to must be dates like 2026-03-31, from before to");
                }
                range
            }
            (None, None, None) => Some(Period::parse(&dates::format(dates::today())[..7]).expect("this month parses")),
            _ => {
                check.fail("period", "give either period, or from and to");
                None
            }
        };
        if period.is_some_and(|p| p.days() > 3 * 366) {
            check.fail("period", "at most three years at once");
        }
        let kind = self.kind.as_deref();
        if kind.is_some_and(|k| !["group_session", "awareness_event", "cfs_day"].contains(&k)) {
            check.fail("kind", "must be group_session, awareness_event or cfs_day");
        }
        check.finish(())?;
        let (place, period) = (place.expect("checked"), period.expect("checked"));
        let (scope, sites) = scope::resolve(&state.db, user, place).await?;
        let types = match (self.activity_type_id, kind) {
            (None, None) => None,
            (id, kind) => Some(
                sqlx::query_scalar("SELECT id FROM activity_types WHERE ($1 = 0 OR id = $2) AND ($3 = '' OR kind = $3)")
                    .bind(id.is_some() as i64)
                    .bind(id.unwrap_or(0))
                    .bind(kind.unwrap_or(""))
                    .fetch_all(state.db.pool())
                    .await?,
            ),
        };
        let filter = Filter {
            sites,
            types,
            include_flagged: self.include_flagged.unwrap_or(true),
            use_rollups: true,
        };
        Ok(Request {
            scope,
            place,
            period,
            filter,
        })
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct GroupFigures {
    /// The bucket: an id (site, district, governorate, partner), `YYYY-MM` or `YYYY-Www`; null for "no district".
    pub key: Option<String>,
    pub label: String,
    pub totals: Totals,
    /// False for weeks: unique, new and completed participants are counted by month and longer.
    pub participants_counted: bool,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FiguresAnswer {
    pub scope: ScopeView,
    pub from: String,
    pub to: String,
    pub include_flagged: bool,
    pub figures: Figures,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    pub groups: Vec<GroupFigures>,
}

fn grouping_for(group: &str, place: Place) -> Option<(Grouping, &'static str)> {
    Some(match group {
        "next" => match place {
            Place::Programme => (Grouping::Governorate, "governorate"),
            Place::Governorate(_) => (Grouping::District, "district"),
            Place::District(_) | Place::Partner(_) => (Grouping::Site, "site"),
            Place::Site(_) => (Grouping::Month, "month"),
        },
        "governorate" => (Grouping::Governorate, "governorate"),
        "district" => (Grouping::District, "district"),
        "site" => (Grouping::Site, "site"),
        "partner" => (Grouping::Partner, "partner"),
        "month" => (Grouping::Month, "month"),
        "week" => (Grouping::Day, "week"),
        _ => return None,
    })
}

/// Figures for a scope and period: totals, splits by sex × age band ×
/// disability × displacement, head counts, and an optional breakdown.
#[utoipa::path(get, path = "/figures", tag = "figures", params(FiguresQuery), responses((status = 200, body = FiguresAnswer), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn figures(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<FiguresQuery>,
) -> Result<Json<FiguresAnswer>, ApiError> {
    let req = q.resolve(&state, &user).await?;
    let grouping = match q.group.as_deref() {
        None => None,
        Some(g) => Some(grouping_for(g, req.place).ok_or_else(|| {
            ApiError::invalid_field(
                "group",
                "must be next, governorate, district, site, partner, month or week",
            )
        })?),
    };
    let mut conn = state.db.begin_read().await?;
    let figures = engine::compute(&mut conn, req.period, &req.filter, Grouping::All)
        .await?
        .remove(&Some("all".into()))
        .unwrap_or_default();
    let mut groups = vec![];
    if let Some((grouping, _)) = grouping {
        let buckets = engine::compute(&mut conn, req.period, &req.filter, grouping).await?;
        groups = if grouping == Grouping::Day {
            weeks(buckets)
        } else {
            labelled(&mut conn, grouping, buckets).await?
        };
    }
    conn.commit().await?;
    Ok(Json(FiguresAnswer {
        scope: req.scope,
        from: dates::format(req.period.from),
        to: dates::format(req.period.to),
        include_flagged: req.filter.include_flagged,
        figures,
        group: grouping.map(|(_, name)| name.to_string()),
        groups,
    }))
}

/// Days summed into ISO weeks (summable figures only).
fn weeks(days: engine::Buckets) -> Vec<GroupFigures> {
    let mut by_week: BTreeMap<String, Totals> = BTreeMap::new();
    for (day, figures) in days {
        let Some(week) = day.as_deref().and_then(dates::parse).map(Period::iso_week) else {
            continue;
        };
        by_week
            .entry(week)
            .or_default()
            .add_summable(&figures.totals);
    }
    by_week
        .into_iter()
        .map(|(week, totals)| GroupFigures {
            key: Some(week.clone()),
            label: week,
            totals,
            participants_counted: false,
        })
        .collect()
}

/// Names each bucket (site, district, governorate, partner); months name themselves.
async fn labelled(
    conn: &mut sqlx::AnyConnection,
    grouping: Grouping,
    buckets: engine::Buckets,
) -> Result<Vec<GroupFigures>, sqlx::Error> {
    let names: BTreeMap<String, String> = match grouping {
        Grouping::Site => sqlx::query_as::<_, (String, String)>(
            "SELECT CAST(id AS TEXT), code || ' ' || name FROM sites",
        )
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .collect(),
        Grouping::District | Grouping::Governorate => {
            sqlx::query_as::<_, (String, String)>("SELECT CAST(id AS TEXT), name_en FROM areas")
                .fetch_all(&mut *conn)
                .await?
                .into_iter()
                .collect()
        }
        Grouping::Partner => {
            sqlx::query_as::<_, (String, String)>("SELECT CAST(id AS TEXT), name FROM partners")
                .fetch_all(&mut *conn)
                .await?
                .into_iter()
                .collect()
        }
        _ => BTreeMap::new(),
    };
    Ok(buckets
        .into_iter()
        .map(|(key, figures)| {
            let label = match &key {
                None => "No district".to_string(),
                Some(k) => names.get(k).cloned().unwrap_or_else(|| k.clone()),
            };
            GroupFigures {
                key,
                label,
                totals: figures.totals,
                participants_counted: true,
            }
        })
        .collect())
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SiteRow {
    pub site_id: i64,
    pub code: String,
    pub name: String,
    pub partner: String,
    pub district: Option<String>,
    pub governorate: String,
    pub active: bool,
    /// The latest day anything was recorded there (any period).
    pub last_activity: Option<String>,
    pub totals: Totals,
}

/// Every site of the scope with its figures for the period and its last
/// activity date: the dashboard's site table and its "silent sites".
#[utoipa::path(get, path = "/figures/sites", tag = "figures", params(FiguresQuery), responses((status = 200, body = Vec<SiteRow>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn site_table(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<FiguresQuery>,
) -> Result<Json<Vec<SiteRow>>, ApiError> {
    let req = q.resolve(&state, &user).await?;
    let mut conn = state.db.begin_read().await?;
    let mut buckets = engine::compute(&mut conn, req.period, &req.filter, Grouping::Site).await?;
    let sql = "SELECT s.id, s.code, s.name, p.name, CASE WHEN a.level = 2 THEN a.name_en END, g.name_en, s.active,
                      (SELECT MAX(d.day) FROM activity_days d WHERE d.site_id = s.id AND d.activities > 0)
               FROM sites s JOIN partners p ON p.id = s.partner_id JOIN areas a ON a.id = s.area_id JOIN areas g ON g.id = COALESCE(a.parent_id, a.id)
               ORDER BY s.code";
    let rows: Vec<(
        i64,
        String,
        String,
        String,
        Option<String>,
        String,
        i64,
        Option<String>,
    )> = sqlx::query_as(sql).fetch_all(&mut *conn).await?;
    conn.commit().await?;
    let wanted = |id: i64| req.filter.sites.as_ref().is_none_or(|s| s.contains(&id));
    Ok(Json(
        rows.into_iter()
            .filter(|r| wanted(r.0))
            .map(
                |(site_id, code, name, partner, district, governorate, active, last_activity)| {
                    SiteRow {
                        totals: buckets
                            .remove(&Some(site_id.to_string()))
                            .map(|f| f.totals)
                            .unwrap_or_default(),
                        site_id,
                        code,
                        name,
                        partner,
                        district,
                        governorate,
                        active: active != 0,
                        last_activity,
                    }
                },
            )
            .collect(),
    ))
}
