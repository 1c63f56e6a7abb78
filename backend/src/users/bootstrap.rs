//! Accounts made outside the API: the first admin on an empty database, and
//! `sijil user create` on the command line.

use serde_json::json;

use super::model::{check_password, parse_login, Language, NewUser};
use super::{password, store};
use crate::access::Role;
use crate::audit::{self, Entry};
use crate::cli::CreateUserArgs;
use crate::error::ApiError;
use crate::sites;
use crate::store::Db;
use crate::validate::Checker;

/// On a database with no users, creates `admin` with a random password and
/// returns it (to be printed once). Returns `None` when users exist, or when
/// another instance created the first admin at the same moment.
pub async fn first_admin(db: &Db) -> anyhow::Result<Option<String>> {
    if store::count(db).await? > 0 {
        return Ok(None);
    }
    let plain = password::generate();
    let user = NewUser {
        login: "admin".into(),
        display_name: "Administrator".into(),
        role: Role::Admin,
        language: Language::En,
        all_sites: true,
        site_ids: vec![],
    };
    let hash = password::hash(plain.clone()).await?;
    let mut tx = db.begin().await?;
    match store::insert(&mut tx, &user, &hash).await {
        Ok(id) => {
            audit::record(
                &mut tx,
                Entry::new("user.create")
                    .login("(first start)")
                    .target("user", id)
                    .detail(json!({ "login": "admin", "role": "admin" })),
            )
            .await?;
            tx.commit().await?;
            Ok(Some(plain))
        }
        Err(ApiError::Conflict { .. }) => Ok(None),
        Err(e) => Err(anyhow::anyhow!("create first admin: {e}")),
    }
}

/// A created account, as the command line reports it.
pub struct Created {
    pub id: i64,
    pub login: String,
    pub role: Role,
}

/// `sijil user create`: the same rules as the API.
pub async fn create_from_cli(
    db: &Db,
    args: &CreateUserArgs,
    plain: &str,
) -> anyhow::Result<Created> {
    let mut check = Checker::new();
    let login = parse_login(&mut check, &args.login);
    let display_name = check.text("name", &args.name, 1, 100);
    let role = check.parse(
        "role",
        &args.role,
        Role::parse,
        "must be admin, coordinator, trainer or mobiliser",
    );
    let language = check.parse(
        "language",
        &args.language,
        Language::parse,
        "must be en, ar, ckb or kmr",
    );
    check_password(&mut check, plain);
    check.finish(()).map_err(|e| anyhow::anyhow!("{e}"))?;
    let (role, language) = (role.expect("checked"), language.expect("checked"));
    let site_ids = match sites::store::ids_for_codes(db, &args.sites).await? {
        Ok(ids) => ids,
        Err(missing) => anyhow::bail!("no site with code {}", missing.join(", ")),
    };
    let user = NewUser {
        login,
        display_name,
        role,
        language,
        all_sites: role == Role::Admin,
        site_ids,
    };
    let hash = password::hash(plain.to_string()).await?;
    let mut tx = db.begin().await?;
    let id = store::insert(&mut tx, &user, &hash)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    audit::record(
        &mut tx,
        Entry::new("user.create")
            .login("(command line)")
            .target("user", id)
            .detail(json!({ "login": user.login, "role": role })),
    )
    .await?;
    tx.commit().await?;
    Ok(Created {
        id,
        login: user.login,
        role,
    })
}
