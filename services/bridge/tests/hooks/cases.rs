use super::*;

#[tokio::test]
async fn install_registers_the_triggers_and_a_second_install_adds_nothing() {
    let s = setup(Config::fast()).await;
    let destination = format!("https://bridge.example/webhooks/procore/{CONNECTION}");

    let first = s.install(&spec(&destination)).await;
    assert!(first.created);
    assert_eq!(first.secret, SecretChange::Generated);
    assert!(first.present.is_empty());
    // Every subscribed resource × create/update/delete is either added or refused with a reason.
    let tried: BTreeSet<TriggerSpec> = first
        .added
        .iter()
        .cloned()
        .chain(first.rejected.iter().map(|(t, _)| t.clone()))
        .chain(first.not_subscribable.iter().cloned())
        .collect();
    assert_eq!(tried.len(), SUBSCRIBED.len() * 3);
    assert!(
        first
            .added
            .iter()
            .any(|t| t.resource == "Work Order Contracts" && t.event_type == "update")
    );
    // What the emulator refuses, it refuses with a reason.
    assert!(
        first.rejected.iter().all(|(_, why)| !why.is_empty()),
        "{:?}",
        first.rejected
    );
    let registered = s.listed_triggers(first.hook_id).await;
    assert_eq!(registered, first.added.iter().cloned().collect());

    // Only the digest is stored, and it is the digest of what Procore holds.
    let listed = s.listed_hooks().await;
    assert_eq!(listed.len(), 1);
    let digest = hook_secret_digest(&listed[0]);
    assert_eq!(accepted(&s.db.pool, CONNECTION).await, vec![digest.clone()]);

    // Again: same hook, same secret, no new trigger.
    let second = s.install(&spec(&destination)).await;
    assert_eq!(second.hook_id, first.hook_id);
    assert!(!second.created && !second.updated);
    assert_eq!(second.secret, SecretChange::Kept);
    assert!(second.added.is_empty(), "{:?}", second.added);
    assert_eq!(
        second.present.iter().cloned().collect::<BTreeSet<_>>(),
        registered
    );
    assert_eq!(s.listed_triggers(first.hook_id).await, registered);
    assert_eq!(s.listed_hooks().await.len(), 1);
    assert_eq!(accepted(&s.db.pool, CONNECTION).await, vec![digest.clone()]);

    // A rotation: a new value on the hook, the old digest still accepted meanwhile.
    let mut rotate = spec(&destination);
    rotate.rotate_secret = true;
    let rotated = s.install(&rotate).await;
    assert_eq!(rotated.secret, SecretChange::Generated);
    let new_digest = hook_secret_digest(&s.listed_hooks().await[0]);
    assert_ne!(new_digest, digest);
    assert_eq!(
        accepted(&s.db.pool, CONNECTION).await,
        vec![new_digest, digest]
    );

    // A moved ingress: the same hook is pointed at it.
    let moved = s
        .install(&spec("https://elsewhere.example/webhooks/procore/boreal"))
        .await;
    assert_eq!(moved.hook_id, first.hook_id);
    assert!(moved.updated && moved.added.is_empty());
    assert_eq!(
        s.listed_hooks().await[0].destination_url,
        "https://elsewhere.example/webhooks/procore/boreal"
    );
}

#[tokio::test]
async fn the_ingress_accepts_deliveries_signed_with_the_generated_secret() {
    let s = setup(Config::fast()).await;
    let address = s.ingress().await;
    s.install(&spec(&format!(
        "http://{address}/webhooks/procore/{CONNECTION}"
    )))
    .await;

    let id = s.add_vendor("Béton Nord").await;
    let pool = s.db.pool.clone();
    eventually(Duration::from_secs(20), "the vendor's webhook rows", || {
        let (pool, id) = (pool.clone(), id.clone());
        async move { (routed(&pool, CONNECTION, &id).await? == 2).then_some(()) }
    })
    .await;
    let refused = s
        .emu
        .deliveries()
        .iter()
        .filter(|d| d.response_status == Some(401))
        .count();
    assert_eq!(refused, 0);
}

/// Fix 6 of issue 10 (rules §6: one connection per prefix, so several on one Procore company).
#[tokio::test]
async fn two_connections_on_one_company_each_keep_their_own_hook_and_events() {
    let s = setup(Config::fast()).await;
    let other = "boreal-nord";
    s.connect(other).await;
    let address = s.ingress().await;
    let own = format!("http://{address}/webhooks/procore/{CONNECTION}");
    let theirs = format!("http://{address}/webhooks/procore/{other}");

    let first = s.install_as(CONNECTION, &spec(&own)).await;
    let second = s.install_as(other, &spec(&theirs)).await;
    assert!(first.created && second.created, "{second:?}");
    assert_ne!(first.hook_id, second.hook_id);
    // Installing each again finds its own hook and changes nothing.
    let again = s.install_as(CONNECTION, &spec(&own)).await;
    assert_eq!(again.hook_id, first.hook_id);
    assert!(!again.updated && again.secret == SecretChange::Kept);
    let again = s.install_as(other, &spec(&theirs)).await;
    assert_eq!(again.hook_id, second.hook_id);
    assert!(!again.updated && again.secret == SecretChange::Kept);

    let hooks = s.listed_hooks().await;
    let url_of = |id: i64| {
        hooks
            .iter()
            .find(|h| h.id == id)
            .map(|h| h.destination_url.clone())
    };
    assert_eq!(url_of(first.hook_id), Some(own.clone()));
    assert_eq!(url_of(second.hook_id), Some(theirs.clone()));
    // Each connection accepts its own hook's value only.
    let digest_of = |id: i64| hook_secret_digest(hooks.iter().find(|h| h.id == id).unwrap());
    assert_eq!(
        accepted(&s.db.pool, CONNECTION).await,
        vec![digest_of(first.hook_id)]
    );
    assert_eq!(
        accepted(&s.db.pool, other).await,
        vec![digest_of(second.hook_id)]
    );

    // One change in Procore reaches both connections, each through its own ingress path.
    let id = s.add_vendor("Béton Partagé").await;
    let pool = s.db.pool.clone();
    eventually(Duration::from_secs(20), "both connections' rows", || {
        let (pool, id) = (pool.clone(), id.clone());
        async move {
            let mine = routed(&pool, CONNECTION, &id).await?;
            let theirs = routed(&pool, other, &id).await?;
            (mine == 2 && theirs == 2).then_some(())
        }
    })
    .await;
    assert!(
        s.emu
            .deliveries()
            .iter()
            .all(|d| d.response_status != Some(401)),
        "a delivery was refused"
    );

    // Removing one connection's hook leaves the other's.
    let removed = install::uninstall(&s.bridge, NAMESPACE, &theirs)
        .await
        .expect("uninstall");
    assert_eq!(removed, vec![second.hook_id]);
    let left: Vec<i64> = s.listed_hooks().await.iter().map(|h| h.id).collect();
    assert_eq!(left, vec![first.hook_id]);
}

#[tokio::test]
async fn status_shows_failing_then_discarded_deliveries() {
    let mut config = Config::fast();
    config.webhooks.discard_after = Duration::from_secs(2);
    let s = setup(config).await;
    // An ingress that is down: nothing listens there.
    let down = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port");
    let destination = format!("http://{down}/webhooks/procore/{CONNECTION}");
    s.install(&spec(&destination)).await;
    assert!(
        install::status(&s.bridge, NAMESPACE, &destination, 100)
            .await
            .expect("status")
            .is_some_and(|h| h.failing.is_empty() && h.discarded.is_empty() && h.triggers > 0)
    );

    let id = s.add_vendor("Acier Sud").await;
    let client = s.bridge.clone();
    let failing = eventually(Duration::from_secs(20), "a failing delivery", || {
        let (client, destination) = (client.clone(), destination.clone());
        async move {
            let h = install::status(&client, NAMESPACE, &destination, 100)
                .await
                .ok()??;
            (!h.failing.is_empty()).then_some(h.failing)
        }
    })
    .await;
    assert_eq!(failing[0].resource_id.as_deref(), Some(id.as_str()));
    assert_eq!(failing[0].outcome, "retried");

    let discarded = eventually(Duration::from_secs(30), "the discarded event", || {
        let (client, destination) = (client.clone(), destination.clone());
        async move {
            let h = install::status(&client, NAMESPACE, &destination, 100)
                .await
                .ok()??;
            (!h.discarded.is_empty()).then_some(h.discarded)
        }
    })
    .await;
    assert_eq!(discarded.len(), 1, "{discarded:?}");
    assert_eq!(discarded[0].outcome, "discarded");
    assert_eq!(
        discarded[0].resource_name.as_deref(),
        Some("Company Vendors")
    );
    assert_eq!(discarded[0].resource_id.as_deref(), Some(id.as_str()));
    assert_eq!(discarded[0].event_type.as_deref(), Some("create"));
}

#[tokio::test]
async fn uninstall_removes_the_hook_and_the_accepted_secret() {
    let s = setup(Config::fast()).await;
    let destination = format!("https://bridge.example/webhooks/procore/{CONNECTION}");
    let installed = s.install(&spec(&destination)).await;
    assert!(!accepted(&s.db.pool, CONNECTION).await.is_empty());

    let removed = install::uninstall(&s.bridge, NAMESPACE, &destination)
        .await
        .expect("uninstall");
    assert_eq!(removed, vec![installed.hook_id]);
    let mut secrets = WebhookSecrets::load(&s.db.pool, CONNECTION)
        .await
        .expect("settings")
        .expect("connection");
    secrets.forget().await.expect("forget");
    assert!(s.listed_hooks().await.is_empty());
    assert!(accepted(&s.db.pool, CONNECTION).await.is_empty());
    assert!(
        install::status(&s.bridge, NAMESPACE, &destination, 10)
            .await
            .expect("status")
            .is_none()
    );
    let again = install::uninstall(&s.bridge, NAMESPACE, &destination)
        .await
        .expect("second uninstall");
    assert!(again.is_empty());
}
