-- Words that name the same matter, for searching cases (#16): a search for one of a group finds
-- the others (欠薪 finds 拖欠工资). One group a row, its words separated by single spaces; kept by
-- administrators in 系统管理, replaced as a whole on each change.
CREATE TABLE search_synonyms (
    id BIGINT PRIMARY KEY,
    phrases TEXT NOT NULL
);
INSERT INTO search_synonyms (id, phrases) VALUES
    (1, '欠薪 拖欠工资 工资拖欠 讨薪 欠工资 拖欠薪资'),
    (2, '农民工 务工人员 外来务工人员'),
    (3, '噪音 噪声'),
    (4, '物业费 物业管理费'),
    (5, '拆迁 征收 征迁'),
    (6, '违建 违章建筑 违法建筑 违法建设'),
    (7, '低保 最低生活保障'),
    (8, '社保 社会保险'),
    (9, '医保 医疗保险'),
    (10, '公积金 住房公积金'),
    (11, '房产证 不动产权证 产权证 房本'),
    (12, '烂尾楼 停工楼盘'),
    (13, '网约车 网络预约出租汽车'),
    (14, '停车费 停车收费');
