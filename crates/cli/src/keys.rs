//! `xinfang rotate-key`: a new personal-data key, every record re-encrypted under it, the old
//! key retired. Safe to interrupt: the key file holds both keys until the database no longer
//! needs the old one.

use xinfang_store::personal::{KeyAt, KeySource, Keyring};
use xinfang_store::{Settings, Store};

use crate::DbArgs;
use crate::config::settings;

pub async fn rotate(args: &DbArgs) -> Result<(), String> {
    let settings = settings(args)?;
    let (backend, url) = xinfang_store::normalise_url(&args.db).map_err(|e| e.to_string())?;
    let KeyAt::File(path) = settings.personal_key.at(backend, &url) else {
        return Err(
            "密钥由 XINFANG_PERSONAL_KEY 给出时不能在此轮换：请改用密钥文件（--personal-key）后再轮换"
                .into(),
        );
    };
    let (old, _) = Keyring::load_or_create(&path, false).map_err(|e| e.to_string())?;
    // Both keys in the file first: whatever happens next, every record opens.
    let rotated = old.rotated();
    rotated.save(&path).map_err(|e| e.to_string())?;
    let store = Store::open(
        &args.db,
        Settings {
            personal_key: KeySource::File(path.clone()),
            ..settings
        },
    )
    .await
    .map_err(|e| e.to_string())?;
    let done = store
        .reseal_personal_data()
        .await
        .map_err(|e| e.to_string())?;
    store.close().await;
    rotated
        .current_only()
        .save(&path)
        .map_err(|e| e.to_string())?;
    println!(
        "已轮换个人信息密钥：{} → {}，重新加密 {} 条信访人记录、{} 个通知地址。请单独备份新的密钥文件 {}，并重启各服务进程。",
        old.current_id(),
        rotated.current_id(),
        done.records,
        done.notices,
        path.display()
    );
    Ok(())
}
