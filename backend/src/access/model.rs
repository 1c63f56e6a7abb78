//! Who may see what: the roles, and the site scope every query of field data
//! takes as a parameter.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Coordinator,
    Trainer,
    Mobiliser,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Coordinator => "coordinator",
            Role::Trainer => "trainer",
            Role::Mobiliser => "mobiliser",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "admin" => Some(Role::Admin),
            "coordinator" => Some(Role::Coordinator),
            "trainer" => Some(Role::Trainer),
            "mobiliser" => Some(Role::Mobiliser),
            _ => None,
        }
    }

    /// Only admins and coordinators may be given every site.
    pub fn may_have_all_sites(self) -> bool {
        matches!(self, Role::Admin | Role::Coordinator)
    }

    /// Admins and coordinators read the management lists and figures of their scope.
    pub fn is_staff(self) -> bool {
        matches!(self, Role::Admin | Role::Coordinator)
    }
}

/// Which sites a user may see. Queries take it as a parameter; its SQL form
/// is a sub-select on `user_sites`, so the database itself applies it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SiteScope {
    pub user_id: i64,
    pub all_sites: bool,
}

impl SiteScope {
    /// The scope of a user as stored: admins always see every site, and
    /// only admins and coordinators may be given every site.
    pub fn of(user_id: i64, role: Role, all_sites_flag: bool) -> SiteScope {
        let all_sites = role == Role::Admin || (all_sites_flag && role.may_have_all_sites());
        SiteScope { user_id, all_sites }
    }

    /// `column IN scope`, with the scope's two values bound at `$first` and `$first+1`.
    pub fn sql(column: &str, first: usize) -> String {
        format!(
            "(${first} = 1 OR {column} IN (SELECT site_id FROM user_sites WHERE user_id = ${}))",
            first + 1
        )
    }

    /// The two values for [`SiteScope::sql`], in order.
    pub fn binds(&self) -> (i64, i64) {
        (self.all_sites as i64, self.user_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_and_only_staff_get_all_sites() {
        for role in [
            Role::Admin,
            Role::Coordinator,
            Role::Trainer,
            Role::Mobiliser,
        ] {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
        assert!(Role::Coordinator.may_have_all_sites());
        assert!(!Role::Trainer.may_have_all_sites());
    }

    #[test]
    fn admins_see_every_site_and_field_roles_never_do() {
        assert!(SiteScope::of(1, Role::Admin, false).all_sites);
        assert!(SiteScope::of(1, Role::Coordinator, true).all_sites);
        assert!(!SiteScope::of(1, Role::Trainer, true).all_sites);
    }

    #[test]
    fn scope_sql_binds_two_values_in_order() {
        assert_eq!(
            SiteScope::sql("s.id", 3),
            "($3 = 1 OR s.id IN (SELECT site_id FROM user_sites WHERE user_id = $4))"
        );
        assert_eq!(
            SiteScope {
                user_id: 7,
                all_sites: false
            }
            .binds(),
            (0, 7)
        );
    }
}
