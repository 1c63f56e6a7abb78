//! One import, from file to report: read and check every row (no writes),
//! then — when applying, and only when the file is clean or the admin
//! accepted the good rows — write each new participant or group through its
//! one write path (`changes::item::apply`, exactly as a phone's push), in
//! one transaction that excludes every other writer, with one audit entry.

use std::collections::{BTreeSet, HashMap};

use anyhow::Context;
use serde::Serialize;
use serde_json::json;
use sqlx::{AnyConnection, Connection};

use super::model::{self, Kind, MemberRef, ParticipantRow, Problem, RosterRow, SiteRow, Table};
use super::store;
use crate::access::CurrentUser;
use crate::audit::{self, Entry};
use crate::changes;
use crate::changes::item::{apply, Actor, Pushed, Syncable};
use crate::error::{ApiError, FieldErrors};
use crate::groups::model::{GroupData, Member};
use crate::groups::sync::Groups;
use crate::participants::code;
use crate::participants::model::ParticipantData;
use crate::participants::sync::Participants;
use crate::sites::model::SiteChanges;
use crate::store::Db;
use crate::users::model::{CreateUser, NewUser};
use crate::users::password;
use crate::validate::dates;

/// What an import found and did. Counts and row numbers, never names.
#[derive(Debug, Default, Serialize, utoipa::ToSchema)]
pub struct Report {
    /// Set (to `invalid`, as in every error body) when an apply was refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    pub dry_run: bool,
    /// Data rows read (blank rows left out).
    pub rows: usize,
    /// Rows with at least one problem.
    pub bad_rows: usize,
    pub problems: Vec<Problem>,
    /// Rows that create something (or would, in a dry run).
    pub new: usize,
    /// Rows already imported: nothing to do.
    pub already_imported: usize,
    /// Whether anything was written.
    pub written: bool,
    /// Accounts made by an applied users file, each with its password,
    /// shown this once (never stored in the clear, never logged).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub passwords: Vec<Issued>,
}

/// An account an import made, and its first password.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Issued {
    pub row: usize,
    pub login: String,
    pub password: String,
}

/// What the admin asked.
#[derive(Debug, Clone, Copy)]
pub struct Asked {
    pub apply: bool,
    pub accept_good_rows: bool,
}

/// The answer: a report, or a refused apply (nothing written).
pub enum Outcome {
    Done(Report),
    Refused(Report),
}

/// A row ready to write, with the row numbers it stands for.
enum Planned {
    User {
        number: usize,
        user: NewUser,
        password: String,
    },
    Site {
        row: SiteRow,
        area_id: i64,
    },
    Participant {
        row: ParticipantRow,
        site_id: i64,
        key_hash: String,
    },
    Group {
        rows: Vec<usize>,
        key_hash: Option<String>,
        id: String,
        base_version: i64,
        data: GroupData,
    },
}

impl Planned {
    fn first_row(&self) -> usize {
        match self {
            Planned::Participant { row, .. } => row.number,
            Planned::Site { row, .. } => row.number,
            Planned::User { number, .. } => *number,
            Planned::Group { rows, .. } => rows[0],
        }
    }
}

pub async fn run(
    db: &Db,
    admin: &CurrentUser,
    kind: Kind,
    table: Table,
    asked: Asked,
) -> anyhow::Result<Outcome> {
    // The rows are checked inside the transaction that writes them, so what
    // was checked is what is written. Participants and groups take the
    // writers' lock as a push does; sites and accounts are written as their
    // own forms write them (the lock is not held while passwords are hashed).
    let mut tx = if asked.apply && matches!(kind, Kind::Participants | Kind::Groups) {
        changes::store::begin(db).await?
    } else {
        db.begin().await?
    };
    let mut report = Report {
        dry_run: !asked.apply,
        rows: table.count,
        ..Report::default()
    };
    let mut problems = table.problems.clone();
    let plan = if table.unusable {
        vec![]
    } else {
        match kind {
            Kind::Participants => {
                plan_participants(&mut tx, &table, &mut problems, &mut report).await?
            }
            Kind::Groups => plan_groups(&mut tx, &table, &mut problems, &mut report).await?,
            Kind::Sites => plan_sites(&mut tx, &table, &mut problems, &mut report).await?,
            Kind::Users => plan_users(&mut tx, &table, &mut problems, &mut report).await?,
        }
    };
    let bad: BTreeSet<usize> = problems.iter().map(|p| p.row).filter(|&r| r > 1).collect();
    report.bad_rows = if table.unusable {
        report.rows
    } else {
        bad.len()
    };
    // A row with a problem is never written, even when another of its
    // group's rows is fine: the plan holds only rows without problems.
    let plan: Vec<Planned> = plan
        .into_iter()
        .filter(|p| !bad.contains(&p.first_row()))
        .collect();
    report.new = plan.iter().map(planned_rows).sum();
    if !asked.apply {
        report.problems = problems;
        tx.rollback().await?;
        return Ok(Outcome::Done(report));
    }
    if table.unusable || (!problems.is_empty() && !asked.accept_good_rows) {
        report.problems = problems;
        return Ok(Outcome::Refused(refused(report)));
    }

    let actor = Actor {
        user_id: admin.id,
        role: admin.role,
        scope: admin.scope,
    };
    let mut codes = Codes::default();
    let mut created = 0;
    for planned in plan {
        let rows = planned_rows(&planned);
        let first = planned.first_row();
        let issued = match &planned {
            Planned::User { user, password, .. } => Some(Issued {
                row: first,
                login: user.login.clone(),
                password: password.clone(),
            }),
            _ => None,
        };
        let answer = write(&mut tx, &actor, &mut codes, planned).await?;
        match answer {
            Ok(()) => {
                created += rows;
                report.passwords.extend(issued);
            }
            Err(errors) => {
                for (field, reason) in errors {
                    problems.push(Problem::new(first, column_of(&field), "refused", reason));
                }
                if !asked.accept_good_rows {
                    report.problems = problems;
                    report.new = 0;
                    report.passwords.clear();
                    return Ok(Outcome::Refused(refused(report)));
                }
            }
        }
    }
    report.new = created;
    report.bad_rows = problems
        .iter()
        .map(|p| p.row)
        .filter(|&r| r > 1)
        .collect::<BTreeSet<_>>()
        .len();
    report.written = created > 0;
    report.problems = problems;
    let entry = Entry::by(kind.action(), admin).detail(json!({
        "rows": report.rows,
        "created": report.new,
        "already_imported": report.already_imported,
        "bad_rows": report.bad_rows,
    }));
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(Outcome::Done(report))
}

fn refused(mut report: Report) -> Report {
    report.error = Some("invalid");
    report.message = Some(
        "the file has problems: nothing was imported (fix them, or import the good rows only)"
            .into(),
    );
    report.written = false;
    report.passwords.clear();
    report
}

fn planned_rows(p: &Planned) -> usize {
    match p {
        Planned::Participant { .. } | Planned::Site { .. } | Planned::User { .. } => 1,
        Planned::Group { rows, .. } => rows.len(),
    }
}

/// The file's column a write path's field answers for.
fn column_of(field: &str) -> &str {
    match field {
        "site_id" => "site_code",
        "activity_type_id" => "activity_type",
        "members" => "member_id",
        other => other,
    }
}

/// The site id of each code, looked up once.
async fn site_of(
    conn: &mut AnyConnection,
    cache: &mut HashMap<String, Option<i64>>,
    code: &str,
) -> Result<Option<i64>, sqlx::Error> {
    if let Some(id) = cache.get(code) {
        return Ok(*id);
    }
    let id = store::site_id(conn, code).await?;
    cache.insert(code.to_string(), id);
    Ok(id)
}

async fn plan_users(
    conn: &mut AnyConnection,
    table: &Table,
    problems: &mut Vec<Problem>,
    report: &mut Report,
) -> anyhow::Result<Vec<Planned>> {
    let mut sites = HashMap::new();
    let mut in_file: HashMap<String, usize> = HashMap::new();
    let mut plan = vec![];
    for row in &table.rows {
        let row = match model::user(row) {
            Ok(r) => r,
            Err(found) => {
                problems.extend(found);
                continue;
            }
        };
        let n = row.number;
        let mut site_ids = vec![];
        let mut unknown = vec![];
        for code in &row.site_codes {
            match site_of(conn, &mut sites, code).await? {
                Some(id) => site_ids.push(id),
                None => unknown.push(code.as_str()),
            }
        }
        if !unknown.is_empty() {
            problems.push(Problem::new(
                n,
                "site_codes",
                "unknown_site",
                format!("no active site has the code {}", unknown.join(", ")),
            ));
            continue;
        }
        if let Some(first) = in_file.get(&row.login) {
            problems.push(Problem::new(
                n,
                "login",
                "duplicate_row",
                format!("the same login as row {first}"),
            ));
            continue;
        }
        in_file.insert(row.login.clone(), n);
        // An account is known by its login.
        if store::login_used(conn, &row.login).await? {
            report.already_imported += 1;
            continue;
        }
        // The account form's own rules, with a generated password.
        let create = CreateUser {
            login: row.login,
            display_name: row.display_name,
            role: row.role,
            language: row.language,
            password: password::generate(),
            site_ids,
            all_sites: row.all_sites,
        };
        match create.parse() {
            Ok((user, password)) => plan.push(Planned::User {
                number: n,
                user,
                password,
            }),
            Err(ApiError::Invalid { fields, .. }) => {
                for (field, reason) in fields {
                    let column = if field == "site_ids" || field == "all_sites" {
                        "site_codes"
                    } else {
                        field.as_str()
                    };
                    problems.push(Problem::new(n, column, "bad_value", reason));
                }
            }
            Err(e) => return Err(anyhow::anyhow!("{e}")),
        }
    }
    Ok(plan)
}

async fn plan_sites(
    conn: &mut AnyConnection,
    table: &Table,
    problems: &mut Vec<Problem>,
    report: &mut Report,
) -> anyhow::Result<Vec<Planned>> {
    let mut in_file: HashMap<String, usize> = HashMap::new();
    let mut plan = vec![];
    for row in &table.rows {
        let row = match model::site(row) {
            Ok(r) => r,
            Err(found) => {
                problems.extend(found);
                continue;
            }
        };
        let Some(area_id) = store::area_id(conn, &row.area_pcode).await? else {
            problems.push(Problem::new(
                row.number,
                "area_pcode",
                "unknown_area",
                "no area has this P-code",
            ));
            continue;
        };
        if let Some(first) = in_file.get(&row.code) {
            problems.push(Problem::new(
                row.number,
                "site_code",
                "duplicate_row",
                format!("the same site code as row {first}"),
            ));
            continue;
        }
        in_file.insert(row.code.clone(), row.number);
        // A site is known by its code: one that exists was imported (or made) before.
        if store::site_code_used(conn, &row.code).await? {
            report.already_imported += 1;
            continue;
        }
        plan.push(Planned::Site { row, area_id });
    }
    Ok(plan)
}

async fn plan_participants(
    conn: &mut AnyConnection,
    table: &Table,
    problems: &mut Vec<Problem>,
    report: &mut Report,
) -> anyhow::Result<Vec<Planned>> {
    let today = dates::today();
    let this_year = today.year() as i64;
    let mut sites = HashMap::new();
    let mut in_file: HashMap<String, usize> = HashMap::new();
    let mut plan = vec![];
    for row in &table.rows {
        let row = match model::participant(row, this_year, today) {
            Ok(r) => r,
            Err(found) => {
                problems.extend(found);
                continue;
            }
        };
        let Some(site_id) = site_of(conn, &mut sites, &row.site_code).await? else {
            problems.push(Problem::new(
                row.number,
                "site_code",
                "unknown_site",
                "no active site has this code",
            ));
            continue;
        };
        let key_hash = model::key_hash(&row.key);
        if let Some(first) = in_file.get(&key_hash) {
            problems.push(Problem::new(
                row.number,
                "id",
                "duplicate_row",
                if row.key.starts_with("id:") {
                    format!("the same programme id as row {first}")
                } else {
                    // Without names (a women's centre does not ask them), two
                    // women of one age at one site read alike: an id tells them apart.
                    format!(
                        "the same site, given name, sex and birth year as row {first}; add an id column to tell them apart"
                    )
                },
            ));
            continue;
        }
        in_file.insert(key_hash.clone(), row.number);
        if store::entity_for_key(conn, Kind::Participants.as_str(), &key_hash)
            .await?
            .is_some()
        {
            report.already_imported += 1;
            continue;
        }
        plan.push(Planned::Participant {
            row,
            site_id,
            key_hash,
        });
    }
    Ok(plan)
}

/// A roster row with its site, activity type and member resolved to ids.
type Resolved = (RosterRow, i64, i64, Option<String>);

async fn plan_groups(
    conn: &mut AnyConnection,
    table: &Table,
    problems: &mut Vec<Problem>,
    report: &mut Report,
) -> anyhow::Result<Vec<Planned>> {
    let today = dates::today();
    let mut sites = HashMap::new();
    // Groups in the order the file first names them, with their rows.
    let mut order: Vec<String> = vec![];
    let mut groups: HashMap<String, Vec<Resolved>> = HashMap::new();
    for row in &table.rows {
        let row = match model::roster(row, today) {
            Ok(r) => r,
            Err(found) => {
                problems.extend(found);
                continue;
            }
        };
        let n = row.number;
        let mut ok = true;
        let site_id = site_of(conn, &mut sites, &row.site_code).await?;
        if site_id.is_none() {
            ok = false;
            problems.push(Problem::new(
                n,
                "site_code",
                "unknown_site",
                "no active site has this code",
            ));
        }
        let type_id = store::group_type_id(conn, &row.activity_type).await?;
        if type_id.is_none() {
            ok = false;
            problems.push(Problem::new(
                n,
                "activity_type",
                "unknown_activity_type",
                "no active group-session activity type has this code",
            ));
        }
        let member = match &row.member {
            None => None,
            Some(MemberRef::ImportId(id)) => {
                let hash = model::key_hash(&model::programme_key(id));
                let found = store::entity_for_key(conn, Kind::Participants.as_str(), &hash).await?;
                if found.is_none() {
                    ok = false;
                    problems.push(Problem::new(
                        n,
                        "member_id",
                        "unknown_member",
                        "no participant was imported with this id",
                    ));
                }
                found
            }
            Some(MemberRef::Code(c)) => {
                let found = crate::participants::store::ids_by_code(conn, std::slice::from_ref(c))
                    .await?
                    .remove(c);
                if found.is_none() {
                    ok = false;
                    problems.push(Problem::new(
                        n,
                        "member_code",
                        "unknown_member",
                        "no participant has this code",
                    ));
                }
                found
            }
        };
        let (Some(site_id), Some(type_id), true) = (site_id, type_id, ok) else {
            continue;
        };
        let key = row.group_key();
        let rows = groups.entry(key.clone()).or_default();
        if rows.is_empty() {
            order.push(key);
        } else if rows[0].2 != type_id {
            problems.push(Problem::new(
                n,
                "activity_type",
                "conflicting_group",
                format!(
                    "row {} gives this group another activity type",
                    rows[0].0.number
                ),
            ));
            continue;
        }
        if let Some(m) = &member {
            if let Some(other) = rows.iter().find(|r| r.3.as_ref() == Some(m)) {
                problems.push(Problem::new(
                    n,
                    "member_id",
                    "duplicate_row",
                    format!("the same member as row {}", other.0.number),
                ));
                continue;
            }
        }
        rows.push((row, site_id, type_id, member));
    }

    let mut plan = vec![];
    for key in order {
        let rows = groups.remove(&key).expect("listed");
        let key_hash = model::key_hash(&key);
        let existing = store::entity_for_key(conn, Kind::Groups.as_str(), &key_hash).await?;
        let (id, base_version, mut data, new_group) = match existing {
            Some(id) => {
                let head = crate::groups::store::load(conn, &id)
                    .await?
                    .context("an imported group's row")?;
                if head.deleted {
                    for r in &rows {
                        problems.push(Problem::new(
                            r.0.number,
                            "group_name",
                            "group_deleted",
                            "this group was imported before and has been deleted since",
                        ));
                    }
                    continue;
                }
                let data: GroupData = serde_json::from_str(&head.payload)?;
                (id, head.version, data, false)
            }
            None => {
                let (first, site_id, type_id, _) = &rows[0];
                let data = GroupData {
                    site_id: *site_id,
                    activity_type_id: *type_id,
                    name: first.group_name.clone(),
                    facilitator_ids: vec![],
                    members: vec![],
                    weekdays: vec![],
                };
                (uuid::Uuid::new_v4().to_string(), 0, data, true)
            }
        };
        let mut changing = vec![];
        for (i, (row, _, _, member)) in rows.iter().enumerate() {
            let adds = match member {
                Some(m) if !data.members.iter().any(|x| &x.participant_id == m) => {
                    data.members.push(Member {
                        participant_id: m.clone(),
                        joined_on: row.joined_on.clone(),
                        left_on: None,
                    });
                    true
                }
                // The group's first row makes a new group, member or not.
                _ => new_group && i == 0,
            };
            if adds {
                changing.push(row.number);
            } else {
                report.already_imported += 1;
            }
        }
        if changing.is_empty() {
            continue;
        }
        plan.push(Planned::Group {
            rows: changing,
            key_hash: new_group.then_some(key_hash),
            id,
            base_version,
            data,
        });
    }
    Ok(plan)
}

/// Participant codes drawn as a phone draws them: a prefix issued to the
/// importing admin, numbered from 1; a new prefix when one runs out.
#[derive(Default)]
struct Codes {
    prefix: Option<String>,
    next: u32,
    /// Partners named by a sites file, found or created once each.
    partners: HashMap<String, i64>,
}

impl Codes {
    async fn next(&mut self, conn: &mut AnyConnection, admin: i64) -> anyhow::Result<String> {
        loop {
            if let Some(prefix) = &self.prefix {
                if let Some(c) = code::code_for(prefix, self.next) {
                    self.next += 1;
                    return Ok(c);
                }
            }
            self.prefix = Some(crate::participants::store::next_prefix(conn, admin).await?);
            self.next = 1;
        }
    }
}

/// Writes one planned item through its kind's one write path, in a
/// savepoint kept only when it was stored; `Err` carries the refusal.
async fn write(
    tx: &mut AnyConnection,
    actor: &Actor,
    codes: &mut Codes,
    planned: Planned,
) -> anyhow::Result<Result<(), FieldErrors>> {
    match planned {
        Planned::User { user, password, .. } => {
            let hash = password::hash(password).await?;
            let mut savepoint = tx.begin().await?;
            // The accounts' one write path: the row and its sites.
            match crate::users::store::insert(&mut savepoint, &user, &hash).await {
                Ok(_) => {
                    savepoint.commit().await?;
                    Ok(Ok(()))
                }
                Err(ApiError::Conflict { message, .. }) => {
                    savepoint.rollback().await?;
                    Ok(Err(FieldErrors::from([("login".to_string(), message)])))
                }
                Err(ApiError::Invalid { fields, .. }) => {
                    savepoint.rollback().await?;
                    Ok(Err(fields))
                }
                Err(e) => Err(anyhow::anyhow!("{e}")),
            }
        }
        Planned::Site { row, area_id } => {
            let mut savepoint = tx.begin().await?;
            let key = row.partner.to_lowercase();
            let partner_id = match codes.partners.get(&key) {
                Some(id) => *id,
                None => {
                    let id = match store::partner_id(&mut savepoint, &row.partner).await? {
                        Some(id) => id,
                        None => crate::sites::store::insert_partner(&mut savepoint, &row.partner)
                            .await
                            .map_err(|e| anyhow::anyhow!("{e}"))?,
                    };
                    codes.partners.insert(key, id);
                    id
                }
            };
            let changes = SiteChanges {
                code: Some(row.code),
                name: Some(row.name),
                kind: Some(row.kind),
                partner_id: Some(partner_id),
                area_id: Some(area_id),
                ..SiteChanges::default()
            };
            // The sites' one write path: the row, and the phones told.
            match crate::sites::store::insert_site(&mut savepoint, &changes).await {
                Ok(_) => {
                    savepoint.commit().await?;
                    Ok(Ok(()))
                }
                Err(ApiError::Conflict { message, .. }) => {
                    savepoint.rollback().await?;
                    codes.partners.clear();
                    Ok(Err(FieldErrors::from([("site_code".to_string(), message)])))
                }
                Err(e) => Err(anyhow::anyhow!("{e}")),
            }
        }
        Planned::Participant {
            row,
            site_id,
            key_hash,
        } => {
            let data = ParticipantData {
                code: codes.next(tx, actor.user_id).await?,
                site_id,
                sex: row.sex,
                birth_year: row.birth_year,
                birth_year_estimated: false,
                disability: row.disability,
                wg: None,
                wg_by_caregiver: false,
                displacement: row.displacement,
                registered_on: row.registered_on,
                given_name: row.given_name,
            };
            let id = uuid::Uuid::new_v4().to_string();
            let answer = apply_in_savepoint::<Participants>(tx, actor, &id, 0, data).await?;
            if answer.is_ok() {
                store::remember(tx, Kind::Participants.as_str(), &key_hash, &id).await?;
            }
            Ok(answer)
        }
        Planned::Group {
            key_hash,
            id,
            base_version,
            data,
            ..
        } => {
            let answer = apply_in_savepoint::<Groups>(tx, actor, &id, base_version, data).await?;
            if let (Ok(()), Some(hash)) = (&answer, key_hash) {
                store::remember(tx, Kind::Groups.as_str(), &hash, &id).await?;
            }
            Ok(answer)
        }
    }
}

async fn apply_in_savepoint<S: Syncable>(
    tx: &mut AnyConnection,
    actor: &Actor,
    id: &str,
    base_version: i64,
    data: S::Data,
) -> anyhow::Result<Result<(), FieldErrors>> {
    let mut savepoint = tx.begin().await?;
    let item = Pushed {
        id: id.to_string(),
        base_version,
        deleted: false,
        data: Some(data),
        device_time: None,
    };
    let answer = apply::<S>(&mut savepoint, actor, item).await?;
    if answer.wrote() {
        savepoint.commit().await?;
        Ok(Ok(()))
    } else {
        savepoint.rollback().await?;
        // The import's report is read by an admin: the refusals as sentences.
        Ok(Err(answer
            .errors
            .map(|errors| crate::refusal::sentences(&errors))
            .unwrap_or_else(|| {
                FieldErrors::from([(
                    "id".to_string(),
                    format!("not stored ({:?})", answer.status),
                )])
            })))
    }
}
