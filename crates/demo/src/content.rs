//! Believable petitions: categories, who can solve them, and titles and texts with variable details.

/// Which body the petition office sends a matter to.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Department(&'static str),
    /// The town (or village) where the petitioner lives.
    Town,
    Discipline,
    PoliticalLegal,
}

pub struct Template {
    pub category: &'static str,
    pub target: Target,
    pub title: &'static str,
    pub content: &'static str,
    /// Share of all petitions, in per mille.
    pub weight: u32,
}

/// `{place}`, `{company}`, `{amount}`, `{months}`, `{road}`, `{year}` are filled in per case.
pub const TEMPLATES: &[Template] = &[
    Template {
        category: "劳动和社会保障/拖欠工资",
        target: Target::Department("rsj"),
        weight: 120,
        title: "{company}拖欠{months}个月工资",
        content: "我们在{company}务工，公司已拖欠我们{months}个月工资共计{amount}元，多次找老板讨要未果，老板现在躲着不见。恳请人社部门督促公司尽快支付工资，维护我们农民工的合法权益。",
    },
    Template {
        category: "劳动和社会保障/社会保险",
        target: Target::Department("rsj"),
        weight: 40,
        title: "单位未依法为职工缴纳社会保险",
        content: "本人在{company}工作{months}个月，单位一直未给我缴纳养老和医疗保险，询问时称试用期不缴。请求有关部门责令单位依法补缴社会保险。",
    },
    Template {
        category: "城乡建设/物业管理",
        target: Target::Department("zjj"),
        weight: 80,
        title: "{place}小区物业服务差、乱收费",
        content: "{place}小区物业公司长期不履行服务合同，电梯经常故障、楼道垃圾无人清理，却擅自上调物业费，业主意见很大。请住建部门查处并督促整改。",
    },
    Template {
        category: "城乡建设/房屋质量",
        target: Target::Department("zjj"),
        weight: 40,
        title: "{place}新建住宅墙体开裂渗水",
        content: "我于{year}年购买{place}商品房，交房不到一年即出现多处墙体开裂、卫生间渗水，开发商推诿不修。请求主管部门督促开发商履行保修责任。",
    },
    Template {
        category: "城乡建设/拖欠工程款",
        target: Target::Department("zjj"),
        weight: 40,
        title: "{company}拖欠工程款{amount}元",
        content: "我们班组承建{place}项目的部分工程，工程已于去年竣工验收，{company}至今拖欠工程款{amount}元不付，导致我们无法给工人发工资。请求协调解决。",
    },
    Template {
        category: "国土资源/征地补偿",
        target: Target::Department("zrj"),
        weight: 60,
        title: "{place}征地补偿款未足额发放",
        content: "{place}因修建{road}征收我家承包地{months}亩，补偿款至今只发放了一部分，还有{amount}元未到位，村里说要等上级拨款。请求核查并尽快足额发放。",
    },
    Template {
        category: "国土资源/宅基地",
        target: Target::Town,
        weight: 40,
        title: "{place}宅基地纠纷请求调处",
        content: "我与邻居因宅基地界址发生争议，邻居建房占用我家宅基地约{months}平方米，村委会调解未果。请求镇政府依法确权调处。",
    },
    Template {
        category: "环境保护/噪声污染",
        target: Target::Department("sthj"),
        weight: 60,
        title: "{place}附近工地夜间施工噪音扰民",
        content: "{place}附近的建筑工地每天晚上十点以后仍在施工，机器轰鸣，周边居民无法休息，老人孩子苦不堪言。请求环保部门依法查处夜间违规施工。",
    },
    Template {
        category: "环境保护/水污染",
        target: Target::Department("sthj"),
        weight: 40,
        title: "{company}偷排污水污染河道",
        content: "{place}的{company}长期将未经处理的污水直接排入附近河道，河水发黑发臭，鱼类死亡。请求环保部门调查取证并依法处理。",
    },
    Template {
        category: "环境保护/油烟废气",
        target: Target::Department("cgj"),
        weight: 30,
        title: "{place}楼下餐馆油烟扰民",
        content: "{place}一楼的餐馆未安装油烟净化设施，油烟直接排到居民楼，楼上住户长期不能开窗。请求有关部门责令整改。",
    },
    Template {
        category: "城市管理/违章建筑",
        target: Target::Department("cgj"),
        weight: 40,
        title: "{place}有人搭建违章建筑",
        content: "{place}有住户在楼顶私自搭建彩钢房约{months}十平方米，存在安全隐患，并影响他人采光。请求城管部门依法拆除。",
    },
    Template {
        category: "交通运输/公共交通",
        target: Target::Department("jtj"),
        weight: 30,
        title: "建议增开通往{place}的公交线路",
        content: "{place}周边新建了多个小区，居民出行主要依靠步行到两公里外的公交站，非常不便。建议交通部门增开或调整公交线路。",
    },
    Template {
        category: "交通运输/道路维修",
        target: Target::Department("jtj"),
        weight: 30,
        title: "{road}路面破损严重请求维修",
        content: "{road}{place}路段坑洼不平，雨天积水严重，已发生多起电动车摔倒事故。请求尽快安排维修。",
    },
    Template {
        category: "教育文体/入学",
        target: Target::Department("jyj"),
        weight: 40,
        title: "孩子就近入学问题",
        content: "我家住在{place}，孩子今年满6岁该上小学了，但被分配到离家较远的学校，接送困难。请求教育部门按照就近入学原则重新安排。",
    },
    Template {
        category: "教育文体/培训机构",
        target: Target::Department("jyj"),
        weight: 20,
        title: "{company}培训机构关门不退费",
        content: "我在{company}为孩子预交培训费{amount}元，现机构突然关门，负责人联系不上。请求有关部门协助追回费用。",
    },
    Template {
        category: "卫生健康/医疗纠纷",
        target: Target::Department("wjw"),
        weight: 30,
        title: "对{place}医院诊疗过程有异议",
        content: "我父亲在{place}医院住院治疗期间病情加重，我们认为医院存在诊疗过错，与医院协商未果。请求卫健部门组织调查处理。",
    },
    Template {
        category: "商贸旅游/预付卡",
        target: Target::Department("scj"),
        weight: 40,
        title: "{company}健身房关门预付卡无法退款",
        content: "本人在{company}办理健身年卡，支付{amount}元，现门店突然停业，剩余费用无法退还。请求市场监管部门介入处理。",
    },
    Template {
        category: "商贸旅游/食品安全",
        target: Target::Department("scj"),
        weight: 10,
        title: "举报{company}生产销售假冒伪劣食品",
        content: "我举报{company}在{place}的加工点使用过期原料生产食品并贴牌销售，我曾在该处打工，了解具体情况。请求市场监管部门依法查处，并对我的身份保密。",
    },
    Template {
        category: "城市管理/市容环境",
        target: Target::Department("cgj"),
        weight: 10,
        title: "关于在{place}增设公共停车位的建议",
        content: "{place}周边商铺和学校集中，早晚高峰车辆乱停乱放。建议利用附近闲置空地规划建设公共停车场，并设置临时停车泊位，方便群众出行。",
    },
    Template {
        category: "商贸旅游/食品安全",
        target: Target::Department("scj"),
        weight: 20,
        title: "{place}超市销售过期食品",
        content: "我在{place}的超市购买的食品已过保质期，与超市交涉只同意换货。请求市场监管部门检查该超市食品安全情况。",
    },
    Template {
        category: "民政/低保",
        target: Target::Department("mzj"),
        weight: 40,
        title: "申请最低生活保障未获批准",
        content: "我家住{place}，丈夫去年因病去世，我一人抚养两个孩子，没有固定收入，申请低保被村里以不符合条件为由退回。请求重新审核。",
    },
    Template {
        category: "民政/养老服务",
        target: Target::Department("mzj"),
        weight: 20,
        title: "{place}养老院服务问题",
        content: "我母亲住在{place}的养老院，护理人员不足，老人经常无人照看，收费却不断上涨。请求民政部门加强监管。",
    },
    Template {
        category: "农村农业/土地承包",
        target: Target::Town,
        weight: 40,
        title: "{place}土地承包经营权纠纷",
        content: "村里在第二轮土地延包时未将我家应得的{months}亩承包地分给我们，村干部说名额已满。请求镇政府依法处理。",
    },
    Template {
        category: "农村农业/村务公开",
        target: Target::Town,
        weight: 30,
        title: "{place}村务财务不公开",
        content: "{place}近年来集体土地出租收入、上级补助资金的使用情况从未公开，村民多次要求公开未果。请求镇政府督促村委会依法公开村务。",
    },
    Template {
        category: "政法/治安",
        target: Target::Department("gaj"),
        weight: 30,
        title: "{place}有人聚众赌博",
        content: "{place}一处民房内经常有人聚众赌博，出入人员复杂，影响周边治安。请求公安机关依法查处。",
    },
    Template {
        category: "政法/涉法涉诉",
        target: Target::PoliticalLegal,
        weight: 20,
        title: "对法院判决执行不到位有意见",
        content: "我与{company}的合同纠纷经法院判决胜诉，对方应支付{amount}元，判决生效已{months}个月仍未执行到位。请求政法部门督促执行。",
    },
    Template {
        category: "纪检监察/检举控告",
        target: Target::Discipline,
        weight: 30,
        title: "检举{place}村干部侵占集体资金",
        content: "我检举{place}的村干部在{year}年集体土地征收中虚报冒领补偿款约{amount}元，并将部分资金据为己有。我有相关材料，请求纪检监察机关调查。",
    },
    Template {
        category: "纪检监察/检举控告",
        target: Target::Discipline,
        weight: 10,
        title: "检举某部门工作人员吃拿卡要",
        content: "我在办理{company}的审批手续时，某部门工作人员以各种理由拖延不办，暗示要好处费。我愿意配合调查，请求纪检监察机关依法查处。",
    },
];

/// Trade names, trades and forms that make the city's firms (清河 + name + trade + form).
const TRADE_NAMES: &[&str] = &[
    "宏达", "恒通", "华美", "鑫源", "天成", "博雅", "力美", "顺发", "绿源", "金盛", "永兴", "瑞丰",
    "嘉禾", "盛世", "长青", "众鑫", "汇丰", "远航", "新华", "泰和", "宏图", "德润", "锦程", "佳禾",
    "亿达", "通达", "明珠", "东方", "润泽", "祥和", "兴旺", "中天", "晨光", "鼎盛", "富源", "安康",
    "弘毅", "银河", "振兴", "鸿运",
];
/// Trades that fit any matter a template names a firm in.
const TRADES: &[&str] = &[
    "实业",
    "商贸",
    "科技",
    "发展",
    "投资",
    "企业管理",
    "服务",
    "贸易",
    "工贸",
    "文化传媒",
];
const FORMS: &[&str] = &[
    "有限公司",
    "有限责任公司",
    "股份有限公司",
    "厂",
    "中心",
    "集团有限公司",
];

/// Roads: a name and its kind.
const ROAD_NAMES: &[&str] = &[
    "环城东",
    "环城西",
    "滨河",
    "迎宾",
    "建设",
    "文化",
    "人民",
    "解放",
    "新华",
    "中山",
    "胜利",
    "和平",
    "光明",
    "朝阳",
    "五一",
    "红旗",
    "育才",
    "工业园一",
    "工业园二",
    "站前",
    "车站北",
    "体育",
    "公园",
    "府前",
    "长江",
    "黄河",
    "湘江",
    "芙蓉",
    "桂花",
    "紫荆",
    "金桥",
    "银杏",
    "青年",
    "劳动",
    "学院",
    "金融",
    "商业",
    "开元",
    "兴业",
    "望城",
];
const ROAD_KINDS: &[&str] = &["路", "街", "大道", "中路", "北路", "南路", "巷"];

/// Housing estates: a name and its kind.
const ESTATE_NAMES: &[&str] = &[
    "阳光", "锦绣", "幸福", "翠湖", "金色", "和谐", "碧桂", "御景", "滨江", "书香", "枫林", "海棠",
    "丽景", "盛华", "悦澜", "君临", "紫金", "清华", "新城", "春晓", "绿洲", "星河", "润园", "桃源",
    "凤凰", "龙湾", "湖畔", "天鹅", "明月", "翰林", "康桥", "玉兰", "香樟", "水岸", "东方", "学府",
    "世纪", "银座", "锦江", "华府",
];
const ESTATE_KINDS: &[&str] = &[
    "花园", "华庭", "家园", "苑", "佳苑", "新村", "公馆", "雅居", "府", "城", "里",
];

fn pick<'a>(rng: &mut impl rand::Rng, items: &[&'a str]) -> &'a str {
    items[rng.random_range(0..items.len())]
}

/// A firm of the city: 400 names times six forms.
pub fn company(rng: &mut impl rand::Rng) -> String {
    format!(
        "清河{}{}{}",
        pick(rng, TRADE_NAMES),
        pick(rng, TRADES),
        pick(rng, FORMS)
    )
}

pub fn road(rng: &mut impl rand::Rng) -> String {
    format!("{}{}", pick(rng, ROAD_NAMES), pick(rng, ROAD_KINDS))
}

pub fn estate(rng: &mut impl rand::Rng) -> String {
    format!("{}{}", pick(rng, ESTATE_NAMES), pick(rng, ESTATE_KINDS))
}

/// What people write around the matter itself: who they are, since when, what they tried,
/// what it does to them, what they ask. Each part is left out now and then, as people do.
const OPENINGS: &[&str] = &[
    "尊敬的领导：您好！",
    "尊敬的市领导：",
    "您好，",
    "领导好！",
    "我是{place}的居民，",
    "本人家住{place}，",
    "我们是{place}的住户，",
    "我是一名普通市民，",
    "我是外地来清河务工人员，",
    "本人是退休职工，",
    "",
    "",
];
const SINCE: &[&str] = &[
    "这个问题已经持续{months}个月了，",
    "从{year}年开始就一直这样，",
    "最近一段时间情况越来越严重，",
    "今年以来，",
    "问题存在多年，",
    "上个月起，",
    "",
    "",
];
const TRIED: &[&str] = &[
    "我们多次拨打12345热线反映，至今没有结果。",
    "已向社区居委会反映过多次，都说要等上级安排。",
    "找过街道办，答复说会处理，但一直没有动静。",
    "向有关部门打过电话，一直没有下文。",
    "去年就反映过，当时说会解决，到现在还是老样子。",
    "我们自己协商过多次，对方不予理睬。",
    "网上留言过两次，没有人回复。",
    "",
    "",
    "",
];
const IMPACTS: &[&str] = &[
    "严重影响了我们的正常生活。",
    "给周边群众带来很大不便。",
    "老人小孩出行很不安全。",
    "大家意见很大，怨声载道。",
    "家里老人因此急得生病住院。",
    "我们实在没有办法了。",
    "",
    "",
];
const CLOSINGS: &[&str] = &[
    "恳请领导重视，尽快解决！",
    "希望有关部门能够调查处理。",
    "请求政府为我们做主。",
    "望早日给予答复，谢谢！",
    "盼复。",
    "望相关部门高度重视，切实解决群众的烦心事。",
    "",
];

/// The text a petitioner writes around a template's core: the core is the matter, the parts
/// around it the person's own words.
pub fn wrap(rng: &mut impl rand::Rng, core: &str) -> String {
    let opening = pick(rng, OPENINGS);
    let since = pick(rng, SINCE);
    let tried = pick(rng, TRIED);
    let impact = pick(rng, IMPACTS);
    let closing = pick(rng, CLOSINGS);
    format!("{opening}{since}{core}{tried}{impact}{closing}")
}

/// Titles as people write them: the matter, now and then framed.
pub fn frame_title(rng: &mut impl rand::Rng, title: &str) -> String {
    match rng.random_range(0..10) {
        0 => format!("关于{title}的问题"),
        1 => format!("反映{title}"),
        2 => format!("投诉：{title}"),
        3 => format!("{title}，请求处理"),
        4 => format!("{title}问题亟待解决"),
        _ => title.to_string(),
    }
}

pub const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹",
];
pub const GIVEN: &[&str] = &[
    "秀兰", "桂英", "建华", "志强", "国平", "海燕", "春梅", "德明", "玉兰", "文军", "小红", "永刚",
    "丽娟", "卫东", "淑珍", "金凤", "长林", "红霞", "宏伟", "明亮", "俊杰", "晓燕", "新民", "凤英",
];
pub const AREA_CODES: &[u32] = &[
    430102, 430103, 430104, 430111, 430121, 430181, 431002, 431021,
];

pub const REPLIES: &[(&str, &str)] = &[
    (
        "support",
        "经调查核实，您反映的问题属实。我单位已责成相关责任方限期整改，目前问题已得到解决。",
    ),
    (
        "support",
        "经协调，责任方已同意按约定支付相关款项，并已支付首期款项，剩余部分将于一个月内付清。",
    ),
    (
        "explain",
        "经调查，相关工作系依据现行政策规定开展，具体政策依据如下，如您仍有疑问可来电咨询。",
    ),
    (
        "explain",
        "您反映的问题已纳入年度工作计划，将于年内统筹解决，感谢您的理解和支持。",
    ),
    (
        "not_support",
        "经调查核实，您反映的情况与事实不符，相关处理符合法律法规规定，您的请求不予支持。",
    ),
];

/// A matter many people petition about within a few weeks (热点): the same place, a handful
/// of wordings, collective visits among them. Three in a hundred demo cases are of one.
pub struct HotMatter {
    pub category: &'static str,
    pub target: Target,
    pub titles: &'static [&'static str],
    pub contents: &'static [&'static str],
    pub place: &'static str,
    /// Which town (index into the city's towns) it happens in.
    pub town: usize,
    /// Days before today its petitions come in: from `starts` to `starts - lasts`.
    pub starts: i64,
    pub lasts: i64,
    /// Growing now: its petitions crowd towards today.
    pub growing: bool,
    /// Per mille of its visits that are collective.
    pub collective: u32,
}

pub const HOT_MATTERS: &[HotMatter] = &[
    HotMatter {
        category: "环境保护/噪声污染",
        target: Target::Department("sthj"),
        titles: &[
            "清河新城旁搅拌站日夜施工噪音粉尘扰民",
            "投诉清河新城附近混凝土搅拌站噪音扰民",
            "清河新城小区旁搅拌站粉尘污染严重",
            "请求取缔清河新城附近违建搅拌站",
        ],
        contents: &[
            "清河新城小区东侧新建了一座混凝土搅拌站，每天夜里大车进出、机器轰鸣，粉尘落满阳台，老人孩子无法休息。请求环保部门查处并取缔。",
            "清河新城旁的搅拌站没有任何环评公示就开工，凌晨两三点还在作业，噪音和粉尘严重影响上千户居民的生活，多次向街道反映无果。",
            "我们是清河新城的业主，小区附近的搅拌站日夜生产，罐车把路面压坏，灰尘满天，孩子咳嗽不止。希望政府尽快调查这个搅拌站是否合法。",
        ],
        place: "清河新城",
        town: 0,
        starts: 24,
        lasts: 24,
        growing: true,
        collective: 200,
    },
    HotMatter {
        category: "城乡建设/房屋质量",
        target: Target::Department("zjj"),
        titles: &[
            "锦绣华庭二期延期交房一年无说法",
            "锦绣华庭开发商逾期交房拒不支付违约金",
            "锦绣华庭业主要求开发商按合同交房",
        ],
        contents: &[
            "锦绣华庭二期购房合同约定去年底交房，至今已延期一年，开发商既不交房也不支付违约金，售楼处已经关门。请求住建部门督促开发商履约。",
            "我们是锦绣华庭二期的业主，房子逾期交付一年多，工地长期停工，开发商推说资金困难。我们还在还房贷又要租房，请政府帮忙协调复工交房。",
            "锦绣华庭二期停工烂尾，开发商拒绝按合同支付逾期交房违约金，业主多次到售楼部交涉无果，请求有关部门介入。",
        ],
        place: "锦绣华庭",
        town: 1,
        starts: 150,
        lasts: 50,
        growing: false,
        collective: 350,
    },
    HotMatter {
        category: "交通运输/公共交通",
        target: Target::Department("jtj"),
        titles: &[
            "12路公交取消城东站点群众出行难",
            "请求恢复12路公交车城东站",
            "12路公交改线后城东居民看病上学不便",
        ],
        contents: &[
            "12路公交车改线后取消了城东站，附近几个小区的老人去医院、孩子上学要多走两公里，请求交通部门恢复该站点。",
            "城东站是周边居民出行的唯一公交站，12路改线后这里没有公交车了，早晚高峰打不到车，请求恢复原线路或增设新站点。",
        ],
        place: "城东",
        town: 2,
        starts: 80,
        lasts: 30,
        growing: false,
        collective: 50,
    },
];
