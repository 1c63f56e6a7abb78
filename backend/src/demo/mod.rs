//! `sijil demo`: a living programme for a newcomer to look at — two
//! partners (a women's centre in West Mosul, an S4D partner with
//! child-friendly spaces in camps around Duhok), their sites, staff of every
//! role with printed passwords, participants, groups, six months of records
//! and a few flagged ones.

pub mod bulk;
pub mod generate;

use indicatif::{ProgressBar, ProgressStyle};

use crate::auth::{password, Role};
use crate::store::Db;
use crate::users::model::{Language, NewUser};
use generate::Spec;

/// An account the demo made, with its one-time password.
pub struct Account {
    pub login: String,
    pub role: Role,
    pub password: String,
    pub sites: String,
}

pub async fn run(db: &Db) -> anyhow::Result<Vec<Account>> {
    let exists: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sites WHERE code = 'MOS-01'")
        .fetch_one(db.pool())
        .await?;
    anyhow::ensure!(
        exists == 0,
        "the demo programme is already in this database"
    );
    let mut accounts = vec![];
    if let Some(password) = crate::users::bootstrap::first_admin(db).await? {
        accounts.push(Account {
            login: "admin".into(),
            role: Role::Admin,
            password,
            sites: "all".into(),
        });
    }
    let admin: i64 = sqlx::query_scalar("SELECT MIN(id) FROM users WHERE role = 'admin'")
        .fetch_one(db.pool())
        .await?;

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

    // Staff: a coordinator per partner and one for the programme, a trainer
    // per site, a mobiliser per partner; each record goes to its recorder.
    let (centres, camps): (Vec<_>, Vec<_>) = made
        .site_ids
        .iter()
        .zip(&made.site_codes)
        .partition(|(_, (_, womens))| *womens);
    let ids =
        |sites: &[(&i64, &(String, bool))]| sites.iter().map(|(id, _)| **id).collect::<Vec<_>>();
    let mut staff: Vec<(String, String, Role, Vec<i64>, bool)> = vec![
        (
            "coordinator".into(),
            "Programme coordinator".into(),
            Role::Coordinator,
            vec![],
            true,
        ),
        (
            "coord-mosul".into(),
            "Coordinator, West Mosul".into(),
            Role::Coordinator,
            ids(&centres),
            false,
        ),
        (
            "coord-duhok".into(),
            "Coordinator, Duhok camps".into(),
            Role::Coordinator,
            ids(&camps),
            false,
        ),
        (
            "mobiliser-mosul".into(),
            "Mobiliser, West Mosul".into(),
            Role::Mobiliser,
            ids(&centres),
            false,
        ),
        (
            "mobiliser-duhok".into(),
            "Mobiliser, Duhok camps".into(),
            Role::Mobiliser,
            ids(&camps),
            false,
        ),
    ];
    for (id, (code, _)) in made.site_ids.iter().zip(&made.site_codes) {
        staff.push((
            format!("trainer-{}", code.to_lowercase()),
            format!("Trainer at {code}"),
            Role::Trainer,
            vec![*id],
            false,
        ));
    }
    for (login, name, role, site_ids, all_sites) in staff {
        let plain = password::generate();
        let hash = password::hash(plain.clone()).await?;
        let mut tx = db.begin().await?;
        let language = if login.ends_with("duhok") {
            Language::Ckb
        } else {
            Language::Ar
        };
        let user = NewUser {
            login: login.clone(),
            display_name: name,
            role,
            language,
            all_sites,
            site_ids: site_ids.clone(),
        };
        let id = crate::users::store::insert(&mut tx, &user, &hash)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let sites = if all_sites {
            "all".to_string()
        } else {
            site_ids
                .iter()
                .filter_map(|s| made.site_ids.iter().position(|x| x == s))
                .map(|i| made.site_codes[i].0.clone())
                .collect::<Vec<_>>()
                .join(" ")
        };
        let kind_filter = match role {
            Role::Trainer => Some("kind <> 'awareness_event'"),
            Role::Mobiliser => Some("kind = 'awareness_event'"),
            _ => None,
        };
        if let Some(kind_filter) = kind_filter {
            for site in &site_ids {
                sqlx::query(&format!("UPDATE activity_records SET recorded_by = $1 WHERE site_id = $2 AND {kind_filter}")).bind(id).bind(site).execute(&mut *tx).await?;
            }
        }
        tx.commit().await?;
        accounts.push(Account {
            login,
            role,
            password: plain,
            sites,
        });
    }
    sqlx::query("UPDATE sync_changes SET user_id = (SELECT recorded_by FROM activity_records r WHERE r.id = sync_changes.entity_id) WHERE entity = 'record'").execute(db.pool()).await?;
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
