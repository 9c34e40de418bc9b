//! Import jobs on both databases: one process runs a job at a time, a job whose process
//! stopped is seen as stopped and may be claimed again, the file goes once imported, and
//! mappings are kept by name.

use chrono::Duration;
use xinfang_store::import_jobs::{JobState, STALE_MS};
use xinfang_store::{Settings, Store, both_backends};

both_backends! {
    async fn an_import_job_is_claimed_once_and_resumed_after_its_process_stops(db: TestDb) {
        let store = Store::open(&db.url, Settings::default()).await.unwrap();
        let bytes = "标题,时间\n路灯,2026-01-02\n".as_bytes();
        let id = store.create_import_job(7, "热线.csv", bytes).await.unwrap();
        let job = store.import_job(id).await.unwrap().unwrap();
        assert_eq!((job.state, job.has_file, job.file_bytes, job.person_id), (JobState::Ready, true, bytes.len() as i64, 7));
        assert_eq!(store.import_file(id).await.unwrap().as_deref(), Some(bytes));
        assert!(store.plan_import_job(id, Some("CSV"), "[columns]\ntitle = \"标题\"\n").await.unwrap());

        assert!(store.start_import_job(id, false, 1).await.unwrap(), "the first claim wins");
        assert!(!store.start_import_job(id, false, 1).await.unwrap(), "a running job is not started twice");
        assert!(!store.plan_import_job(id, None, "").await.unwrap(), "nor replanned while it runs");
        store.import_job_progress(id, 1).await.unwrap();
        assert_eq!(store.import_job(id).await.unwrap().unwrap().state, JobState::Running);

        // Its process stops: untouched past the limit, the job is stopped and may be claimed.
        store.clock().advance(Duration::milliseconds(STALE_MS + 1_000));
        let stopped = store.import_job(id).await.unwrap().unwrap();
        assert_eq!((stopped.state, stopped.done), (JobState::Stopped, 1));
        assert!(store.start_import_job(id, false, 1).await.unwrap(), "a stopped job is resumed");

        store.finish_import_job(id, true, "{}", Some(b"report"), true).await.unwrap();
        let done = store.import_job(id).await.unwrap().unwrap();
        assert_eq!((done.state, done.done, done.has_file, done.has_report), (JobState::Done, 1, false, true));
        assert_eq!(store.import_file(id).await.unwrap(), None, "the upload is gone once imported");
        assert_eq!(store.import_report(id).await.unwrap().as_deref(), Some(b"report".as_slice()));
        assert!(!store.start_import_job(id, false, 1).await.unwrap(), "nothing left to run");
        assert_eq!(store.import_jobs(10).await.unwrap().len(), 1);

        store.save_import_mapping("热线", "[columns]\n").await.unwrap();
        store.save_import_mapping("热线", "[columns]\ntitle = \"主题\"\n").await.unwrap();
        store.save_import_mapping("台账", "").await.unwrap();
        let kept = store.import_mappings().await.unwrap();
        assert_eq!(kept, [("台账".to_string(), String::new()), ("热线".to_string(), "[columns]\ntitle = \"主题\"\n".to_string())]);

        // A week on, the job (and anything it held) is forgotten when the next file comes.
        store.clock().advance(Duration::days(8));
        store.create_import_job(7, "下月.csv", bytes).await.unwrap();
        assert!(store.import_job(id).await.unwrap().is_none());
    }
}
