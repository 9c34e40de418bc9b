//! The tantivy index of case texts. It is derived data: the event log is the truth, the index
//! records in its commit how far into the log it has read, and it is rebuilt whenever it is
//! missing, unreadable or of an older layout.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, BoostQuery, ConstScoreQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, Term, doc};
use xinfang_domain::{Case, UnitPath, access};

use crate::segment::{
    ANALYZER, BIGRAMS, QueryWord, analyzer, bigram_analyzer, bigrams, content_words, query_words,
};
use crate::{Synonyms, TextError};

/// Bumped when the schema or the analyzer changes: an index of another layout is rebuilt.
const LAYOUT: &str = "xinfang-cases-3";
/// Words of a new petition compared with the index in the duplicate check.
const RARE_WORDS: usize = 10;
/// Memory for the indexing buffer (tantivy flushes a segment when it is full).
const WRITER_MEMORY: usize = 64 * 1024 * 1024;

/// What a case contributes to the index.
#[derive(Debug, Clone)]
pub struct CaseText {
    pub id: i64,
    pub title: String,
    pub content: String,
    pub category: String,
    /// Paths of the units the case is seen from ([`access::seen_from`]).
    pub unit_paths: Vec<UnitPath>,
    /// A report (检举控告): found only by searches that reach reports.
    pub is_report: bool,
}

impl CaseText {
    pub fn of(case: &Case, org: &xinfang_domain::OrgChart) -> CaseText {
        let unit_paths = access::seen_from(case)
            .filter_map(|u| org.get(u).ok().map(|u| u.path.clone()))
            .collect();
        CaseText {
            id: case.id.0,
            title: case.title.clone(),
            content: case.content.clone(),
            category: case.category.clone(),
            unit_paths,
            is_report: case.is_report,
        }
    }
}

/// One page of hits, best first.
#[derive(Debug, Clone, PartialEq)]
pub struct Hits {
    pub ids: Vec<i64>,
    pub total: usize,
}

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    title: Field,
    content: Field,
    category: Field,
    /// Title and content as character pairs: a word jieba cut otherwise in the text.
    grams: Field,
    /// Every ancestor path of every unit that may see the case: "visible to a viewer of unit
    /// path P" is one term lookup.
    scope: Field,
}

pub struct CaseIndex {
    index: Index,
    reader: IndexReader,
    /// `None` after a failure the writer could not roll back from (a worker thread died on a
    /// full disk): the next write opens a new one, once the old has let go of the index lock.
    writer: Mutex<Option<IndexWriter>>,
    fields: Fields,
    dir: Option<PathBuf>,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(ANALYZER)
            .set_index_option(IndexRecordOption::WithFreqs),
    );
    let fields = Fields {
        id: b.add_i64_field("id", INDEXED | STORED | FAST),
        title: b.add_text_field("title", text.clone()),
        content: b.add_text_field("content", text.clone()),
        category: b.add_text_field("category", text),
        grams: b.add_text_field(
            "grams",
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(BIGRAMS)
                    .set_index_option(IndexRecordOption::Basic),
            ),
        ),
        scope: b.add_text_field("scope", STRING),
    };
    (b.build(), fields)
}

/// A word in any of `fields`, each with its weight.
fn word_in(word: &str, fields: &[(Field, f32)]) -> Box<dyn Query> {
    Box::new(BooleanQuery::new(
        fields
            .iter()
            .map(|(field, boost)| {
                let q = TermQuery::new(
                    Term::from_field_text(*field, word),
                    IndexRecordOption::WithFreqs,
                );
                (
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(q), *boost)) as Box<dyn Query>,
                )
            })
            .collect(),
    ))
}

/// `query`, limited to cases visible to a unit path when `scope` is given (adds no score).
/// Which documents a search may find: those visible from a unit path (`None`: all, for
/// administrators), and reports (检举控告) only when it may reach them
/// ([`xinfang_domain::access::identity_lookups_reach_reports`]).
#[derive(Debug, Clone, Copy)]
pub struct Reach<'a> {
    pub scope: Option<&'a str>,
    pub reports: bool,
}

impl<'a> Reach<'a> {
    /// Everything but reports.
    pub fn all() -> Reach<'a> {
        Reach {
            scope: None,
            reports: false,
        }
    }

    /// What is visible from `path`, reports excepted.
    pub fn under(path: &'a str) -> Reach<'a> {
        Reach {
            scope: Some(path),
            reports: false,
        }
    }
}

/// The scope term every report carries (unit paths start with '/').
const REPORT: &str = "report";

/// `query` limited to the documents visible from `scope` (a unit path; `None`: all), and to
/// documents that are not reports unless `reports`.
fn scoped(query: Box<dyn Query>, scope_field: Field, reach: Reach) -> BooleanQuery {
    let term = |text: &str| -> Box<dyn Query> {
        Box::new(ConstScoreQuery::new(
            Box::new(TermQuery::new(
                Term::from_field_text(scope_field, text),
                IndexRecordOption::Basic,
            )),
            0.0,
        ))
    };
    let mut all = vec![(Occur::Must, query)];
    if let Some(path) = reach.scope {
        all.push((Occur::Must, term(path)));
    }
    if !reach.reports {
        all.push((Occur::MustNot, term(REPORT)));
    }
    BooleanQuery::new(all)
}

impl CaseIndex {
    /// The case ids of found documents, in their order.
    fn ids_of(
        &self,
        searcher: &tantivy::Searcher,
        top: Vec<(tantivy::Score, tantivy::DocAddress)>,
    ) -> Result<Vec<i64>, TextError> {
        // From the fast column: reading the stored document would decompress a block per hit.
        let mut columns = std::collections::HashMap::new();
        let mut ids = Vec::with_capacity(top.len());
        for (_, addr) in top {
            let column = match columns.entry(addr.segment_ord) {
                std::collections::hash_map::Entry::Occupied(c) => c.into_mut(),
                std::collections::hash_map::Entry::Vacant(v) => v.insert(
                    searcher
                        .segment_reader(addr.segment_ord)
                        .fast_fields()
                        .i64("id")?,
                ),
            };
            if let Some(id) = column.first(addr.doc_id) {
                ids.push(id);
            }
        }
        Ok(ids)
    }
}

impl CaseIndex {
    /// Opens the index in `dir`, creating it, or recreating it empty when it is unreadable or of
    /// another layout (the caller then refills it from the log).
    pub fn open(dir: &Path) -> Result<CaseIndex, TextError> {
        std::fs::create_dir_all(dir)?;
        let (schema, fields) = schema();
        let index = match Index::open_in_dir(dir) {
            Ok(index)
                if index.schema() == schema && layout_of(&index).as_deref() == Some(LAYOUT) =>
            {
                index
            }
            opened => {
                if let Err(e) = &opened {
                    tracing::info!(dir = %dir.display(), error = %e, "creating the text index");
                } else {
                    tracing::warn!(dir = %dir.display(), "text index of another layout: rebuilding");
                }
                drop(opened);
                std::fs::remove_dir_all(dir)?;
                std::fs::create_dir_all(dir)?;
                Index::create_in_dir(dir, schema)?
            }
        };
        Self::from_index(index, fields, Some(dir.to_path_buf()))
    }

    /// An index held in memory (tools and tests that do not keep one).
    pub fn in_memory() -> Result<CaseIndex, TextError> {
        let (schema, fields) = schema();
        Self::from_index(Index::create_in_ram(schema), fields, None)
    }

    fn from_index(
        index: Index,
        fields: Fields,
        dir: Option<PathBuf>,
    ) -> Result<CaseIndex, TextError> {
        index.tokenizers().register(ANALYZER, analyzer());
        index.tokenizers().register(BIGRAMS, bigram_analyzer());
        let writer = index.writer_with_num_threads(1, WRITER_MEMORY)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(CaseIndex {
            index,
            reader,
            writer: Mutex::new(Some(writer)),
            fields,
            dir,
        })
    }

    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// The last event sequence number whose effects the committed index holds (0 when empty).
    pub fn watermark(&self) -> Result<i64, TextError> {
        Ok(payload(&self.index)
            .and_then(|p| p.split_once(':').and_then(|(_, seq)| seq.parse().ok()))
            .unwrap_or(0))
    }

    /// Replaces the documents of these cases and commits, recording `watermark`. After a failure
    /// (a full disk) the writer is rolled back to the last commit, so the next attempt starts
    /// clean and the watermark never runs ahead of what the index holds.
    pub fn apply(&self, cases: &[CaseText], watermark: i64) -> Result<(), TextError> {
        let mut slot = self.writer.lock().expect("index writer lock");
        let w = match slot.as_mut() {
            Some(w) => w,
            None => slot.insert(self.index.writer_with_num_threads(1, WRITER_MEMORY)?),
        };
        let written = self.write(w, cases, watermark);
        if written.is_err()
            && let Err(e) = w.rollback()
        {
            tracing::warn!(error = %e, "text index: rollback failed; the writer is opened anew");
            *slot = None;
        }
        drop(slot);
        self.reader.reload()?;
        written
    }

    fn write(
        &self,
        w: &mut IndexWriter,
        cases: &[CaseText],
        watermark: i64,
    ) -> Result<(), TextError> {
        let f = self.fields;
        for c in cases {
            w.delete_term(Term::from_field_i64(f.id, c.id));
            let mut d = doc!(
                f.id => c.id,
                f.title => c.title.as_str(),
                f.content => c.content.as_str(),
                f.category => c.category.as_str(),
                f.grams => format!("{}\n{}", c.title, c.content),
            );
            for path in &c.unit_paths {
                for ancestor in path.ancestors() {
                    d.add_text(f.scope, ancestor);
                }
            }
            if c.is_report {
                d.add_text(f.scope, REPORT);
            }
            w.add_document(d)?;
        }
        let mut commit = w.prepare_commit()?;
        commit.set_payload(&format!("{LAYOUT}:{watermark}"));
        commit.commit()?;
        Ok(())
    }

    /// Cases whose title, content or category hold every word of `query`, best first, within
    /// `reach`.
    pub fn search(
        &self,
        query: &str,
        synonyms: &Synonyms,
        reach: Reach,
        offset: usize,
        limit: usize,
    ) -> Result<Hits, TextError> {
        let f = self.fields;
        let searched = [(f.title, 3.0), (f.category, 1.5), (f.content, 1.0)];
        let in_any_field = |w: &str| word_in(w, &searched);
        // A word: itself, all the dictionary words it is made of, or (ranked lower) all its
        // character pairs, for a text jieba cut otherwise around it.
        let word_query = |w: &QueryWord| -> Box<dyn Query> {
            let mut any: Vec<(Occur, Box<dyn Query>)> =
                vec![(Occur::Should, in_any_field(&w.word))];
            if !w.parts.is_empty() {
                let all_parts = w
                    .parts
                    .iter()
                    .map(|p| (Occur::Must, in_any_field(p)))
                    .collect();
                any.push((Occur::Should, Box::new(BooleanQuery::new(all_parts))));
            }
            let pairs: Vec<(Occur, Box<dyn Query>)> = bigrams(&w.word)
                .iter()
                .map(|b| {
                    let term = Term::from_field_text(f.grams, b);
                    let q: Box<dyn Query> =
                        Box::new(TermQuery::new(term, IndexRecordOption::Basic));
                    (Occur::Must, q)
                })
                .collect();
            if !pairs.is_empty() {
                let q = BoostQuery::new(Box::new(BooleanQuery::new(pairs)), 0.3);
                any.push((Occur::Should, Box::new(q)));
            }
            Box::new(BooleanQuery::new(any))
        };
        let all_of = |words: Vec<QueryWord>| -> Box<dyn Query> {
            Box::new(BooleanQuery::new(
                words.iter().map(|w| (Occur::Must, word_query(w))).collect(),
            ))
        };
        // A listed word stands for its whole group: the case holds one of them.
        let (rest, groups) = synonyms.take_from(query);
        let mut must: Vec<(Occur, Box<dyn Query>)> = query_words(&rest)
            .iter()
            .map(|w| (Occur::Must, word_query(w)))
            .collect();
        for group in groups {
            let any = group
                .iter()
                .map(|phrase| query_words(phrase))
                .filter(|words| !words.is_empty())
                .map(|words| (Occur::Should, all_of(words)))
                .collect();
            must.push((Occur::Must, Box::new(BooleanQuery::new(any))));
        }
        if must.is_empty() {
            return Ok(Hits {
                ids: vec![],
                total: 0,
            });
        }
        let q = scoped(Box::new(BooleanQuery::new(must)), f.scope, reach);
        let searcher = self.reader.searcher();
        let (top, total) = searcher.search(
            &q,
            &(
                TopDocs::with_limit(limit.max(1))
                    .and_offset(offset)
                    .order_by_score(),
                Count,
            ),
        )?;
        let ids = self.ids_of(&searcher, top)?;
        Ok(Hits { ids, total })
    }

    /// Cases that share many words with `text` (a petition being registered), most alike first:
    /// of its ten rarest words found in the index, at least two fifths (and at least two) must
    /// occur in the case.
    pub fn similar(&self, text: &str, reach: Reach, limit: usize) -> Result<Vec<i64>, TextError> {
        let f = self.fields;
        let searcher = self.reader.searcher();
        // The rarest words say most about a matter, and their short posting lists keep the
        // check fast where common words match a large part of the index.
        let mut words: Vec<(u64, String)> = Vec::new();
        for w in content_words(text, 60) {
            let df = searcher.doc_freq(&Term::from_field_text(f.content, &w))?
                + searcher.doc_freq(&Term::from_field_text(f.title, &w))?;
            if df > 0 {
                words.push((df, w));
            }
        }
        words.sort();
        let words: Vec<String> = words.into_iter().take(RARE_WORDS).map(|(_, w)| w).collect();
        if words.len() < 2 {
            return Ok(Vec::new());
        }
        let clauses: Vec<(Occur, Box<dyn Query>)> = words
            .iter()
            .map(|w| {
                (
                    Occur::Should,
                    word_in(w, &[(f.title, 2.0), (f.content, 1.0)]),
                )
            })
            .collect();
        let needed = (words.len() * 2).div_ceil(5).max(2);
        let alike: Box<dyn Query> =
            Box::new(BooleanQuery::with_minimum_required_clauses(clauses, needed));
        let top = searcher.search(
            &scoped(alike, f.scope, reach),
            &TopDocs::with_limit(limit.max(1)).order_by_score(),
        )?;
        self.ids_of(&searcher, top)
    }

    /// How rare each word is among the indexed cases (the reply check's weights).
    pub fn rarity(&self) -> IndexRarity {
        IndexRarity {
            searcher: self.reader.searcher(),
            content: self.fields.content,
        }
    }

    /// Number of cases in the committed index.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn payload(index: &Index) -> Option<String> {
    index.load_metas().ok().and_then(|m| m.payload)
}

fn layout_of(index: &Index) -> Option<String> {
    match payload(index) {
        Some(p) => p.split_once(':').map(|(l, _)| l.to_string()),
        // A fresh index that never committed is of our layout if its schema matched.
        None => Some(LAYOUT.to_string()),
    }
}

/// Word rarity read from the index's document frequencies (content field), one searcher's view.
pub struct IndexRarity {
    searcher: tantivy::Searcher,
    content: Field,
}

impl crate::reply_check::Rarity for IndexRarity {
    fn idf(&self, word: &str) -> f64 {
        let df = self
            .searcher
            .doc_freq(&Term::from_field_text(self.content, word))
            .unwrap_or(0);
        crate::reply_check::idf(self.searcher.num_docs(), df)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(id: i64, title: &str, content: &str, path: &str) -> CaseText {
        CaseText {
            id,
            title: title.into(),
            content: content.into(),
            category: "劳动社保".into(),
            unit_paths: vec![UnitPath::parse(path).unwrap()],
            is_report: false,
        }
    }

    #[test]
    fn reports_are_found_only_by_searches_that_reach_them() {
        let idx = CaseIndex::in_memory().unwrap();
        let report = CaseText {
            is_report: true,
            ..case(7, "检举某局长收受礼金", "某局长收受施工方礼金", "/1/9/")
        };
        idx.apply(
            &[report, case(8, "礼金问题咨询", "婚礼礼金标准", "/1/9/")],
            2,
        )
        .unwrap();
        // Administrators (every unit) and the unit's own officers outside 纪检监察: not the report.
        assert_eq!(
            idx.search("礼金", &Synonyms::default(), Reach::all(), 0, 10)
                .unwrap()
                .ids,
            vec![8]
        );
        assert_eq!(
            idx.search("礼金", &Synonyms::default(), Reach::under("/1/9/"), 0, 10)
                .unwrap()
                .ids,
            vec![8]
        );
        assert!(
            idx.similar("某局长收受施工方礼金", Reach::all(), 5)
                .unwrap()
                .iter()
                .all(|id| *id != 7)
        );
        // 纪检监察, within its scope.
        let discipline = Reach {
            scope: Some("/1/9/"),
            reports: true,
        };
        assert_eq!(
            idx.search("局长 礼金", &Synonyms::default(), discipline, 0, 10)
                .unwrap()
                .ids,
            vec![7]
        );
        assert_eq!(
            idx.similar("某局长收受施工方礼金", discipline, 5).unwrap()[0],
            7
        );
        let elsewhere = Reach {
            scope: Some("/1/3/"),
            reports: true,
        };
        assert!(
            idx.search("礼金", &Synonyms::default(), elsewhere, 0, 10)
                .unwrap()
                .ids
                .is_empty()
        );
    }

    #[test]
    fn finds_every_word_ranks_titles_first_and_respects_scope() {
        let idx = CaseIndex::in_memory().unwrap();
        idx.apply(
            &[
                case(1, "反映小区停车难", "物业拖欠工资问题也请一并处理", "/1/2/"),
                case(2, "拖欠工资", "某公司拖欠农民工工资三个月", "/1/3/"),
                case(3, "噪音扰民", "夜间施工噪音", "/1/2/"),
            ],
            7,
        )
        .unwrap();
        assert_eq!(idx.watermark().unwrap(), 7);
        let all = idx
            .search("拖欠工资", &Synonyms::default(), Reach::all(), 0, 10)
            .unwrap();
        assert_eq!(
            all,
            Hits {
                ids: vec![2, 1],
                total: 2
            }
        );
        assert_eq!(
            idx.search("工资 噪音", &Synonyms::default(), Reach::all(), 0, 10)
                .unwrap()
                .total,
            0
        );
        assert_eq!(
            idx.search(
                "拖欠工资",
                &Synonyms::default(),
                Reach::under("/1/2/"),
                0,
                10
            )
            .unwrap()
            .ids,
            vec![1]
        );
        assert_eq!(
            idx.search("拖欠工资", &Synonyms::default(), Reach::under("/1/"), 1, 10)
                .unwrap()
                .ids,
            vec![1]
        );
        assert_eq!(
            idx.search("，", &Synonyms::default(), Reach::all(), 0, 10)
                .unwrap()
                .total,
            0
        );
    }

    #[test]
    fn a_listed_word_finds_its_synonyms_and_the_other_words_still_count() {
        let idx = CaseIndex::in_memory().unwrap();
        idx.apply(
            &[
                case(1, "工地欠薪", "建筑工地老板欠薪半年", "/1/2/"),
                case(2, "讨要工资", "某公司拖欠农民工工资三个月", "/1/3/"),
                case(3, "餐馆拖欠工资", "餐馆拖欠服务员工资", "/1/2/"),
                case(4, "噪音扰民", "夜间施工噪音", "/1/2/"),
            ],
            4,
        )
        .unwrap();
        // jieba cuts "晚上路灯不亮" as 路 / 灯不亮: the word 路灯 is found by its characters.
        idx.apply(
            &[case(5, "路灯坏了", "晚上路灯不亮，行人看不清", "/1/2/")],
            5,
        )
        .unwrap();
        let none = Synonyms::default();
        assert_eq!(
            idx.search("路灯", &none, Reach::all(), 0, 10).unwrap().ids,
            vec![5]
        );
        assert_eq!(
            idx.search("路灯 噪音", &none, Reach::all(), 0, 10)
                .unwrap()
                .total,
            0
        );
        let list = Synonyms::parse("欠薪 拖欠工资 讨薪\n农民工 务工人员").unwrap();
        let found = |q: &str, s: &Synonyms| {
            let mut ids = idx.search(q, s, Reach::all(), 0, 10).unwrap().ids;
            ids.sort();
            ids
        };
        assert_eq!(found("欠薪", &Synonyms::default()), vec![1]);
        assert_eq!(found("欠薪", &list), vec![1, 2, 3]);
        assert_eq!(found("拖欠工资", &list), vec![1, 2, 3]);
        // The other words of the query are still required: a synonym widens one word only.
        assert_eq!(found("欠薪 餐馆", &list), vec![3]);
        assert_eq!(found("务工人员 欠薪", &list), vec![2]);
        assert_eq!(found("欠薪 噪音", &list), Vec::<i64>::new());
    }

    #[test]
    fn similar_cases_share_most_of_their_words() {
        let idx = CaseIndex::in_memory().unwrap();
        idx.apply(
            &[
                case(
                    1,
                    "宏达建筑公司拖欠工资",
                    "我们在宏达建筑公司务工，公司拖欠我们三个月工资，老板躲着不见",
                    "/1/2/",
                ),
                case(2, "小区噪音扰民", "夜间施工噪音很大，影响休息", "/1/2/"),
                case(3, "拖欠工资", "某餐馆拖欠服务员工资", "/1/3/"),
            ],
            1,
        )
        .unwrap();
        let text = "宏达建筑公司拖欠农民工三个月工资，老板不见人";
        assert_eq!(idx.similar(text, Reach::all(), 5).unwrap()[0], 1);
        assert!(!idx.similar(text, Reach::all(), 5).unwrap().contains(&2));
        assert!(
            idx.similar(text, Reach::under("/1/3/"), 5)
                .unwrap()
                .iter()
                .all(|id| *id == 3)
        );
        assert!(
            idx.similar("工资", Reach::all(), 5).unwrap().is_empty(),
            "one word is not a likeness"
        );
    }

    #[test]
    fn re_applying_a_case_replaces_it() {
        let idx = CaseIndex::in_memory().unwrap();
        idx.apply(&[case(1, "噪音扰民", "施工", "/1/2/")], 1)
            .unwrap();
        idx.apply(&[case(1, "噪音扰民", "施工", "/1/3/")], 2)
            .unwrap();
        assert_eq!(idx.len(), 1);
        assert!(
            idx.search("噪音", &Synonyms::default(), Reach::under("/1/2/"), 0, 10)
                .unwrap()
                .ids
                .is_empty()
        );
        assert_eq!(
            idx.search("噪音", &Synonyms::default(), Reach::under("/1/3/"), 0, 10)
                .unwrap()
                .ids,
            vec![1]
        );
    }

    #[test]
    fn reopening_keeps_the_watermark_and_another_layout_is_rebuilt() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("idx");
        {
            let idx = CaseIndex::open(&path).unwrap();
            idx.apply(&[case(1, "噪音扰民", "施工", "/1/2/")], 5)
                .unwrap();
        }
        {
            let idx = CaseIndex::open(&path).unwrap();
            assert_eq!(idx.watermark().unwrap(), 5);
            assert_eq!(
                idx.search("噪音", &Synonyms::default(), Reach::all(), 0, 10)
                    .unwrap()
                    .ids,
                vec![1]
            );
            // Pretend an older layout wrote it.
            let mut w = idx.writer.lock().unwrap();
            let mut c = w.as_mut().unwrap().prepare_commit().unwrap();
            c.set_payload("xinfang-cases-0:5");
            c.commit().unwrap();
        }
        let idx = CaseIndex::open(&path).unwrap();
        assert_eq!(idx.watermark().unwrap(), 0);
        assert!(idx.is_empty());
    }
}
