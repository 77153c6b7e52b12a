//! Employees maestro* → Procore users, end to end.

mod flows_support;

use bridge_domain::{Action, Direction, EntityKind};
use bridge_maestro::{self as mx, EmployeeStatus};
use bridge_procore::writes::NewCompanyUser;
use bridge_sandbox::procore::Kind;
use flows_support::{COMPANY, Stack};

const EMPLOYEE: EntityKind = EntityKind::Employee;
const TO_PROCORE: Direction = Direction::ToProcore;

fn add_employee(s: &Stack, number: &str, email: Option<&str>, status: EmployeeStatus) {
    s.maestro
        .add_employee(
            COMPANY,
            mx::Employee {
                number: number.to_owned(),
                last_name: "Tremblay".to_owned(),
                first_name: "Julie".to_owned(),
                alpha_code: None,
                status,
                email: email.map(str::to_owned),
                phone: None,
                city: Some("Laval".to_owned()),
            },
        )
        .unwrap();
}

#[tokio::test]
async fn an_active_employee_becomes_a_procore_user_marked_as_employee() {
    let s = Stack::start().await;
    add_employee(
        &s,
        "E0042",
        Some("julie.tremblay@boreal.example"),
        EmployeeStatus::Active,
    );
    s.emit(EMPLOYEE, TO_PROCORE, Action::Create, "E0042", None)
        .await;

    let item = s.wait_for(EMPLOYEE, TO_PROCORE, "E0042", "synced").await;
    assert_eq!(
        item.description.as_deref(),
        Some("employee E0042 (Julie Tremblay)")
    );
    let (id, origin) = s.link(EMPLOYEE, "E0042").await.expect("linked");
    assert_eq!(origin, "created_in_procore");
    let user = s.procore.get_json(Kind::User, id).expect("user in Procore");
    assert_eq!(user["is_employee"], true);
    assert_eq!(user["employee_id"], "E0042");
    assert_eq!(user["last_name"], "Tremblay");
    assert_eq!(user["email_address"], "julie.tremblay@boreal.example");
    assert_eq!(user["origin_id"], "employee:E0042");
}

#[tokio::test]
async fn a_procore_user_with_the_same_employee_id_is_linked_not_created() {
    let s = Stack::start().await;
    add_employee(
        &s,
        "E0042",
        Some("julie.tremblay@boreal.example"),
        EmployeeStatus::Active,
    );
    let user = NewCompanyUser {
        first_name: Some("Julie".into()),
        last_name: Some("Tremblay".into()),
        email_address: Some("jt@boreal.example".into()),
        is_employee: Some(true),
        employee_id: Some("E0042".into()),
        ..NewCompanyUser::default()
    };
    let existing = s.procore_user().create_company_user(&user).await.unwrap();
    s.emit(EMPLOYEE, TO_PROCORE, Action::Create, "E0042", None)
        .await;

    s.wait_for(EMPLOYEE, TO_PROCORE, "E0042", "synced").await;
    assert_eq!(
        s.link(EMPLOYEE, "E0042").await,
        Some((existing.id.0, "linked_by_code".to_owned()))
    );
    assert_eq!(s.procore.count(Kind::User, s.procore_company), 1);
}

#[tokio::test]
async fn an_employee_without_email_fails_with_what_to_fix() {
    let s = Stack::start().await;
    add_employee(&s, "E0043", None, EmployeeStatus::Active);
    s.emit(EMPLOYEE, TO_PROCORE, Action::Create, "E0043", None)
        .await;

    let item = s.wait_for(EMPLOYEE, TO_PROCORE, "E0043", "failed").await;
    assert!(
        item.says(
            "error",
            "employee E0043 (Julie Tremblay) has no email address in maestro*"
        ),
        "{:?}",
        item.messages
    );
    assert_eq!(s.procore.count(Kind::User, s.procore_company), 0);
}

#[tokio::test]
async fn an_employee_who_is_not_active_is_skipped() {
    let s = Stack::start().await;
    add_employee(
        &s,
        "E0044",
        Some("x@boreal.example"),
        EmployeeStatus::Layoff,
    );
    s.emit(EMPLOYEE, TO_PROCORE, Action::Create, "E0044", None)
        .await;

    let item = s.wait_for(EMPLOYEE, TO_PROCORE, "E0044", "skipped").await;
    assert!(
        item.says("info", "is not active in maestro* (Layoff)"),
        "{:?}",
        item.messages
    );
    assert_eq!(s.procore.count(Kind::User, s.procore_company), 0);
}
