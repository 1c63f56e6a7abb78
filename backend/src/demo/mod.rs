//! `sijil demo`: a living programme for a newcomer to look at — two
//! partners (a women's centre in West Mosul, an S4D partner with
//! child-friendly spaces in camps around Duhok), their sites, staff of every
//! role with printed passwords, participants, groups, six months of records
//! and a few flagged ones.
//!
//! [`generate`] makes the programme (the figures benchmark uses it too),
//! [`rows`] lays out its rows for the bulk loads, [`store`] holds the rest
//! of its SQL; this module adds the staff.

pub mod generate;
mod rows;
mod store;

use indicatif::{ProgressBar, ProgressStyle};

use crate::access::Role;
use crate::store::Db;
use crate::users::model::{Language, NewUser};
use crate::users::{self, password};
use generate::{Made, Spec};

/// An account the demo made, with its one-time password.
pub struct Account {
    pub login: String,
    pub role: Role,
    pub password: String,
    pub sites: String,
}

/// Fills an empty programme with the demo and returns its accounts.
pub async fn run(db: &Db) -> anyhow::Result<Vec<Account>> {
    anyhow::ensure!(
        !store::demo_exists(db).await?,
        "the demo programme is already in this database"
    );
    let mut accounts = vec![];
    if let Some(password) = users::bootstrap::first_admin(db).await? {
        accounts.push(Account {
            login: "admin".into(),
            role: Role::Admin,
            password,
            sites: "all".into(),
        });
    }
    let admin = users::store::first_admin_id(db).await?;

    let bar = ProgressBar::new(1);
    bar.set_style(
        ProgressStyle::with_template("{msg:>8} [{bar:40}] {pos}/{len}")
            .expect("template")
            .progress_chars("=> "),
    );
    let mut progress = |stage: &str, done: u64, total: u64| {
        bar.set_message(stage.to_string());
        bar.set_length(total);
        bar.set_position(done);
    };
    let made = generate::generate(db, &Spec::demo(), admin, &mut progress).await?;
    bar.finish_and_clear();

    for member in staff(&made) {
        accounts.push(add_staff(db, &made, member).await?);
    }
    store::address_record_changes(db).await?;
    println!(
        "{} sites, {} participants, {} groups, {} records, {} attendances",
        made.site_ids.len(),
        made.participants,
        made.groups,
        made.records,
        made.attendances
    );
    Ok(accounts)
}

/// An account to make for the demo.
struct StaffMember {
    login: String,
    name: String,
    role: Role,
    site_ids: Vec<i64>,
    all_sites: bool,
}

/// A coordinator per partner and one for the programme, a mobiliser per
/// partner, a trainer per site.
fn staff(made: &Made) -> Vec<StaffMember> {
    let sites = made.site_ids.iter().zip(&made.site_codes);
    let centres: Vec<i64> = sites
        .clone()
        .filter(|(_, (_, womens))| *womens)
        .map(|(id, _)| *id)
        .collect();
    let camps: Vec<i64> = sites
        .clone()
        .filter(|(_, (_, womens))| !*womens)
        .map(|(id, _)| *id)
        .collect();
    let member =
        |login: &str, name: &str, role: Role, site_ids: &[i64], all_sites: bool| StaffMember {
            login: login.into(),
            name: name.into(),
            role,
            site_ids: site_ids.to_vec(),
            all_sites,
        };
    let mut staff = vec![
        member(
            "coordinator",
            "Programme coordinator",
            Role::Coordinator,
            &[],
            true,
        ),
        member(
            "coord-mosul",
            "Coordinator, West Mosul",
            Role::Coordinator,
            &centres,
            false,
        ),
        member(
            "coord-duhok",
            "Coordinator, Duhok camps",
            Role::Coordinator,
            &camps,
            false,
        ),
        member(
            "mobiliser-mosul",
            "Mobiliser, West Mosul",
            Role::Mobiliser,
            &centres,
            false,
        ),
        member(
            "mobiliser-duhok",
            "Mobiliser, Duhok camps",
            Role::Mobiliser,
            &camps,
            false,
        ),
    ];
    for (id, (code, _)) in sites {
        let login = format!("trainer-{}", code.to_lowercase());
        staff.push(member(
            &login,
            &format!("Trainer at {code}"),
            Role::Trainer,
            &[*id],
            false,
        ));
    }
    staff
}

/// Makes one staff account (Sorani for Duhok, Arabic elsewhere) and hands
/// it the records it would have made: trainers their sites' sessions and
/// CFS days, mobilisers their awareness events.
async fn add_staff(db: &Db, made: &Made, m: StaffMember) -> anyhow::Result<Account> {
    let plain = password::generate();
    let hash = password::hash(plain.clone()).await?;
    let language = if m.login.ends_with("duhok") {
        Language::Ckb
    } else {
        Language::Ar
    };
    let user = NewUser {
        login: m.login.clone(),
        display_name: m.name,
        role: m.role,
        language,
        all_sites: m.all_sites,
        site_ids: m.site_ids.clone(),
    };
    let mut tx = db.begin().await?;
    let id = users::store::insert(&mut tx, &user, &hash)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let kinds = match m.role {
        Role::Trainer => Some("kind <> 'awareness_event'"),
        Role::Mobiliser => Some("kind = 'awareness_event'"),
        _ => None,
    };
    if let Some(kinds) = kinds {
        for site in &m.site_ids {
            store::assign_records(&mut tx, id, *site, kinds).await?;
        }
    }
    tx.commit().await?;
    let sites = if m.all_sites {
        "all".to_string()
    } else {
        let codes: Vec<String> = m
            .site_ids
            .iter()
            .filter_map(|s| made.site_ids.iter().position(|x| x == s))
            .map(|i| made.site_codes[i].0.clone())
            .collect();
        codes.join(" ")
    };
    Ok(Account {
        login: m.login,
        role: m.role,
        password: plain,
        sites,
    })
}
