"""The safety screen's patterns: wording that almost always means danger, and wording that takes
the danger out of a phrase (hyperbole, negation, a past event, a calm question about the rules).

Patterns are one half of the screen; the classifier (bot/safety/model.py) is the other. A pattern
hit that a guard defuses is left to the classifier to decide, so "累死了" or "以前摔过" are not
alarms while "累得真不想活了" still is.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

CATEGORIES = ("self_harm", "medical", "violence", "group_incident")

_FULLWIDTH = str.maketrans("０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ！？，。　",
                           "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ!?,. ")


@lru_cache(maxsize=1)
def _to_simplified():
    import opencc  # OpenCC's own tables: workers from Hong Kong, Taiwan or on a traditional keyboard

    return opencc.OpenCC("t2s")


def normalise(text: str) -> str:
    """Simplified characters, half-width, lower case, no spaces: keyboards and voice recognition
    vary in all four."""
    return re.sub(r"\s+", "", _to_simplified().convert((text or "").translate(_FULLWIDTH)).lower())


PATTERNS: dict[str, re.Pattern] = {
    "self_harm": re.compile(
        r"不想活|活不下去|活不成了|活[着著](?:没|有什么|还有啥)(?:意思|意义|用)|活[着著]太(?:累|苦|难)|撑不下去|熬不下去|"
        r"(?<!笑)(?<!累)(?<!饿)(?<!热)(?<!冷)(?<!气)(?<!不)想死(?!你|我了|他|她)|去死(?!吧你)|寻死|寻短见|自杀(?!式)|轻生|自尽|"
        r"跳楼|跳河|跳江|跳湖|跳海|跳桥|从(?:楼|天台|桥)上?跳|割腕|割脉|烧炭|上吊|喝农药|吃(?:了)?安眠药|安眠药|"
        r"药都?(?:买|攒|准备)好|一了百了|一死了之|结束(?:自己|我)?的?生命|结束这一切|了结自己|把自己了结|遗书|遗言|"
        r"不如死了|死了算了|一头撞死|撞死(?:算了|我)|死了(?:就|也)?(?:解脱|干净)|离开这个世界|没脸活|活够了|下辈子(?:再|见)|"
        r"道过?别了|告别了|诀别|永别|没什么(?:好)?留恋|绳子.{0,4}(?:挂|准备|系)好|这辈子就(?:先)?(?:到这|这样吧)|"
        r"再也不回来|就这么结束|(?:想好了?|决定).{0,4}结束|不(?:打算|想)(?:再)?撑|撑不住了|活着干(?:嘛|什么)|"
        r"我(?:要是|如果)(?:死了|不在了|没了)|我的骨灰|骨灰(?:送|撒|带)回|(?<!别)(?<!不会)(?<!不要)想不开了|身后事|交代后事|(?:拜托|托付).{0,8}(?:孩子|爸妈|老人|父母)|照顾好(?:孩子|爸妈|老人|父母)|"
        r"来世(?:再)?见|来(?:世|生)(?:再)?(?:报|还|孝敬)|(?:我|人)(?:要是|如果)?没了.{0,12}(?:谁|怎么|安排)|"
        r"(?:吞|吃|喝)(?:了|下)(?:一|两|几|整|半)?(?:百|十|几十|[2-9]\d|\d{3})多?(?:片|粒|颗)|(?:吞|吃)(?:了|下)(?:一|整|半)(?:瓶|板|盒)(?!饭)|"
        r"最后一次(?:找|联系|麻烦|打扰)(?:你们|大家)了|(?:送给|留给).{1,8}了.{0,6}(?:保重|用不着|再见|永别)|(?:可能|也许|大概|就要)就?不在(?:人世|这个世上)?了|(?:怎么|什么办法|啥办法|哪种办法).{0,3}(?:去)?死(?:得快|得了|掉)?|死得快|绝食|饿死自己|"
        r"撞上.{0,6}(?:大货车|火车|卡车|货车).{0,3}算了|不想(?:再)?看(?:到|见)明天的太阳|看不到明天的太阳了|(?:桥|楼顶|天台|窗).{0,12}翻(?:过|出)(?:了)?(?:栏杆|护栏|窗)|"
        r"(?:吞|吃)了(?:好多|很多|一大把|一把)(?:颗|片|粒)|(?:我)?(?:已经|早就)不在了|"
        r"killmyself|wan(?:tto|na)die|endmylife|suicid|(?:do|did)n'?twanttolive|takemyownlife"),
    "medical": re.compile(
        r"(?<!没)(?<!没有)(?<!不)(?:流了?(?:好多|很多|一地|一身|不少|大量|满地)?的?血|出了?(?:好多|很多)血|"
        r"血止不住|止不住血|血流不止|大出血|喷血|吐血|血糊)|"
        r"昏过去|晕过去|晕倒了|昏迷|叫不醒|(?<!有)没(?:有)?(?:呼吸|意识|反应|气了)|不省人事|"
        r"(?:摔|掉|跌|坠)下来.{0,8}(?:动不了|起不来|不能动|不动了|没反应|说不出话)|动不了了|高处坠落|"
        r"有人(?:从)?.{0,6}(?:楼|架子|脚手架|梯子|塔吊|屋顶|楼顶)上?(?:摔|掉|跌|坠)下(?:来|去)了|"
        r"(?:下去|进去)(?:就|以后|后)?没(?:声|动静|反应)了?|"
        r"压(?:在|住)(?:下面|底下)|被压住|压住了|压着(?:人|个人|工友|师傅)|塌了.{0,6}(?:压|埋)|埋(?:在|住)(?:下面|了)|被埋|"
        r"触电|电击|被电(?:到|打|击)|中毒|煤气|一氧化碳|毒气|"
        r"喘不上气|喘不过气|呼吸困难|胸口(?:疼|痛|闷)得|心脏病犯|心脏骤停|心跳(?:停|没)了|没(?:有)?心跳|抽搐|口吐白沫|"
        r"烧伤|烫伤|着火.{0,6}(?:人|烧)|(?:手指|手|胳膊|腿|脚)(?:被|给)?.{0,6}(?:切|轧|绞|压|砸)断|骨头露|"
        r"(?:挂|吊|悬)在(?:半空|空中|外墙|楼外)|扎穿|刺穿|(?:被)?困在.{0,6}(?:着火|火场|火里|烟)|火.{0,4}(?:困住|出不来)|安全带断|(?<!心)(?:还在|一直|不停地?)(?:滴|流|冒|出)血|中暑.{0,6}(?:倒|晕|昏)|车祸.{0,8}(?:流血|动不了|昏|晕)|快不行了|救命|救救|"
        r"bleeding|can'?tbreathe|notbreathing|unconscious|passedout|heartattack|electrocut|ambulance"),
    "violence": re.compile(
        r"(?:要|想|去|准备)?(?:拿|带|揣)(?:着|上)?刀|砍(?:死|人|他|了)|捅(?:死|人|他|了)|杀了(?:他|她|你|老板|工头)|"
        r"弄死(?:他|她|你|老板|工头)|宰了(?:他|她|你|老板|工头)|掐(?:死|住)(?:我|他|她)|(?:用|拿).{1,4}抽(?:我|他|她|孩子)|抽我(?:耳光|嘴巴)|同归于尽|报复(?:老板|他|社会)|汽油|放火|烧了(?:他|厂|公司|工地)|颜色看看|"
        r"(?:打|揍)(?:了|完)?我|被(?:人)?(?:打|揍|殴打)|被.{0,6}关(?:在|起来|进)(?!门外)|废了(?:我|你|他)|蹲我|让.{0,8}出(?:个|点)?意外|要(?:捅|通)(?:死|了)(?:他|她|你)|殴打|打伤|动手打|带人(?:来)?打|(?:围|追)着打|"
        r"关(?:在|着)?.{0,6}不让(?:走|出|离开)|锁(?:了|着)?门.{0,8}(?:跑不|出不去|走不了)|跑不掉|逃不(?:出|掉)|不让(?:我们?)?(?:走|离开|出门)|限制.{0,4}人身自由|扣(?:着|押|了)?(?:我的)?身份证不让走|"
        r"跟踪我|(?:说|让)我活不过|有命花|要你(?:的)?(?:小)?命|不(?:跪|签|听话|走|闭嘴)就(?:打|揍|弄|砍|收拾)|(?:逼|让)(?:我|我们)?(?:给他)?跪下|(?:走夜路|出门|回家路上)(?:要)?小心|小心点?别出事|小心你的(?:腿|手|命|家人|孩子)|跟(?:他|她|他们|老板|工头|你|那帮人)拼了|拼了这条(?:老)?命|电棍|(?:拿|抡|带|揣)(?:着|上)?(?:铁棍|棍子|钢管|砍刀|斧头)|被抢|抢劫|持刀|(?:要|说要|扬言)(?:好好)?教训(?:教训)?(?:我|我们)|威胁.{0,6}(?:打|杀|弄|砍)|要(?:打|弄|砍|杀)(?:死)?我|掐(?:住)?(?:我的?)?脖子|勒(?:住)?脖子|喊救命|"
        r"kill(?:him|her|you|them|theboss)|hit(?:ting|s)?(?:me|us)|(?:punch|attack)(?:ing|ed|es|s)?(?:me|us)|(?:goingto|wantsto|wantto|willto)?killme|beat(?:ing)?me|stab(?:bed|him|her|you)"),
    "group_incident": re.compile(
        r"爬塔吊|上塔吊|集体(?:罢|停工|停单|不(?:干|进|上|去|来|出车|发车)|没(?:发车|上班|出车|进)|辞工)|"
        r"(?:做|写|挂|举|打)横幅|(?:都|一起)(?:坐|待|堵|围)在.{0,8}(?:办公室|门口|大门|大厅).{0,4}(?:不走|不离开)|罢(?:送|运|驶|单)|全体停工|一起停(?:工|单|运)|上街游行|停工上街|(?:一起|都要|准备|要去)上街|游行示威|爬(?:上)?楼顶|堵(?:门|路|大门|马路|工地|公司|厂门)|围堵|拉横幅|静坐|罢工|"
        r"(?:大家|全部|全体|所有人|工友们|兄弟们|成班|整个(?:车间|班组|工地|厂)|我们(?:班组|车间|[几十二三四五六七八九两]+个?人)|[几十二三四五六七八九两]+个(?:人|工友|司机|保安|骑手)).{0,10}(?:停工|停机|停产|不上工|不开工|不复工|不干活|不出车|撂挑子|请假不来|(?:坐|待|呆|站)(?:着|在).{0,10}(?:不走|不离开)|唔肯走|不肯走)|"
        r"拦(?:省道|国道|高速|马路|路|车)|车都拦住|(?:在|上了?)高架.{0,10}(?:拦|堵|不下来)|"
        r"(?:塔吊|楼顶|屋顶|脚手架)上.{0,6}(?:待|呆|坐|站)了?(?:一|两|几|整)(?:夜|天)|"
        r"(?:集体|一起|一块)(?:跳|上访|去政府|去闹|堵)|(?:去|到)(?:市|区|县)?政府(?:门口)?(?:讨|闹|静坐|要)|"
        r"(?:几十|上百|一百多|好几十|二三十|三四十|[2-9]\d|[一二三四五六七八九]十多?)(?:个|号)?(?:工友|人|兄弟|农民工|工人)"
        r".{0,12}(?:堵|围|闹|爬|上访|静坐|拉横幅|去政府|讨说法|讨薪|要说法)"),
}

# Dangers typed in pinyin, matched in the Latin letters of a clause ("liu xue bu zhi" reaches the
# patterns as liuxuebuzhi). Only whole phrases: a single word's pinyin is too often another word's
# (liuxue is 留学 as well as 流血, beida is 北大, kansi is 看似).
PINYIN = {
    "self_harm": re.compile(r"buxianghuo|huobuxiaqu|zisha|tiaolou|tiao(?:he|jiang)|qingsheng|shangdiao|gewan|"
                            r"anmianyao|woxiangsi(?!ni|ta)|sisuanle|yiliaobaile"),
    "medical": re.compile(r"liuxue(?:buzhi|henduo|haoduo)|xue(?:zhibuzhu|liubuzhi)|(?:yun|hun)guoqu|yundaole|hunmi|"
                          r"meihuxi|chudian|zhongdu|jiuming|chuanbushangqi|chuanbuguoqi|dongbuliaole|yazhule"),
    "violence": re.compile(r"nongsi(?:ta|ni|laoban)|shale(?:ta|ni|laoban)|bei(?:ren)?dale|tongguiyujin|kan(?:ren|sita)"),
    "group_incident": re.compile(r"dumen|dulu|(?:quanbu|dajia|jiti)(?:dou)?(?:tinggong|bushanggong|bugan)|patadiao|bagong|lahengfu|jingzuo|jitishangfang"),
}

# A negation just before a hit of an injury or a protest defuses it (他没昏过去, 我们不会去堵门,
# wo men bu hui qu du men); not before violence, where 不要打我 is a plea, nor suicide.
NEGATED = re.compile(r"(?:没有?|并没有?|从没有?|未|不会|不打算|不准备|没打算|不)(?:要|去|会|被|人|再)*$|"
                     r"(?:meiyou|mei|buhui|buyao|bu)(?:yao|qu|hui|bei|ren)*$")
NEGATABLE = ("medical", "group_incident")

# Wording no guard defuses: asking how a method of suicide works, a failed attempt, a last message,
# "not joking".
STRONG = re.compile(
    r"(?:烧炭|割腕|上吊|安眠药|跳楼|农药|吃药|跳河).{0,10}(?:多久|会不会死|能不能死|死得了|没知觉|疼不疼|算不算意外|能赔)|"
    r"(?:几楼|多高|多少片|多少粒).{0,4}(?:才能|才会|能|会)死|"
    r"(?:吞|吃)(?:了|下)(?:一|两|几|整|半)?(?:百|几十|[三四五六七八九]十|[3-9]\d|\d{3})多?(?:片|粒|颗)(?!面包|饼干|西瓜|肉|薯)|没死成|(?:最后一条|最后一次)(?:消息|留言|说话)|想死.{0,4}不是开玩笑|不是开玩笑.{0,6}(?:想死|不想活)")

# Everyday words that contain a danger word (打电话, 跳楼价, 死机 ...): taken out before matching.
FALSE_FRIENDS = re.compile(
    r"(?:拉|挂|做|打)横幅(?=.{0,4}(?:庆祝|欢迎|宣传|祝贺|开业|招聘))|自杀式|慢性自杀|活成|打卡|打工|打电话|打个电话|打官司|打印|打车|打扫|打折|砍价|杀价|跳槽|跳楼价|跳绳|跳舞|死机|死工资|死活|"
    r"死磕|拼命三郎|救场|电动车|电瓶车|电话|充电|病毒|捅(?:了个?)?(?:篓|娄)子|(?:降压|感冒|胃|止痛|消炎|中|老鼠)药|"
    r"下辈子再也不(?:来|干|进|做|打工)|有苦说不出|哑巴吃黄连|拼了?老命|头破血流也要|烧炭取暖|烧烤店烧炭|(?:工资|钱)下辈子再(?:发|给|还)|医生(?:给我?)?开了?(?:点|些)?(?:的)?安眠药|"
    r"安眠药(?=.{0,12}(?:影响|副作用|依赖|开车|伤身|上瘾|处方|一直吃|长期吃|能吃吗))|(?:每天|天天)(?:都)?吃安眠药|"
    r"安眠药(?:能|可以|要)?(?:长期|经常|天天|每天)(?:吃|服)|(?:钱包|荷包|钱|花钱|房租|消费|请客|红包|份子)[^,.!?]{0,8}大出血|(?:这个|上个)?月大出血|"
    r"置之死地|(?:要|想|快|气得?|赔得?|亏得?|累得?|坑得?|扣得?)(?:我)?吐血|(?:砍|砸)了这(?:个|台)?破|自杀(?:干预|预防)|(?:心理|干预|援助)热线")

# Wording that takes the danger out of the clause it is in: hyperbole with 死, a negation, an injury
# that is small or over. A worker writes "热死了 不是 真的 有个人中暑倒了": the hyperbole of the first
# clause says nothing of the third.
CLAUSE_GUARD = re.compile(
    r"(?:累|饿|笑|热|冷|冻|困|忙|烦|气|吓|丑|闷|渴|疼|痛|穷|急|憋|可爱|美|香|帅|爽|[a-z]{3})死|想死你|快(?:饿|累|困)晕|(?:攰|累|饿|困|忙|热|冻)到死|累得快(?:要)?(?:晕|昏)|又大出血|不想活得(?:这么|那么|这样|太)|"
    r"没(?:有)?想(?:过)?(?:要)?(?:自杀|死|不活|轻生|跳楼)|不是(?:想|要)(?:去)?(?:自杀|死|不活|轻生|跳楼)|没(?:说|提)过要?(?:寻死|自杀|轻生|死)|(?:狗|猫|宠物|鸟|鱼|手机|电脑|电池|电瓶|车|花)[^,.!?]{0,6}快不行了|不去(?:闹|堵|上访)|饿晕|往死里(?:用|干|使唤|压榨)|"
    r"没(?:有)?(?:流血|出血|受伤|事|大事)|不严重|伤得不重|血(?:已经)?止住|"
    r"已经(?:好了|出院|康复)|出院了|好多了|治好了|不疼了|创可贴|一点血|被.{1,6}压得|压力|压榨|"
    r"(?:才|也|绝对)?不会(?:去)?(?:跳|死|自杀|想不开|寻短见|轻生)|没(?:有)?(?:轻生|自杀|寻死)的?(?:念头|想法)|notsuicidal|meiren|不想活在这|不是不想活|"
    r"不会(?:去|真)?(?:拿刀|动手|打人|砍|捅)|不是被(?:人)?(?:打|揍|关)|没(?:有)?人(?:中毒|受伤|出事|触电|打我|被|喝农药|跳楼|自杀)|没(?:有)?被(?:人)?(?:打|揍|关)|(?:不(?:打算|会|想)|没(?:有)?(?:要|打算)?)(?:去)?(?:堵|闹|上访|游行|罢工|静坐)|劝住|劝下来|人也好了|现在(?:都)?(?:好了|没事了)|差点|还好")

# Wording that takes the danger out of a whole message: a past event, a calm question about the
# rules, a joke, a game, a dream, a film or the news. The classifier then has to be surer
# (GUARDED_THRESHOLD in bot/safety/screen.py).
MESSAGE_GUARD = re.compile(
    r"以前|之前|去年|前年|上个月|上周|上星期|上礼拜|上次|那次|当时|好多年前|住院治疗|"
    r"(?:血)?(?:已经|一会就?|马上就?)?止住了|《|电视剧|追剧|剧里|书里|主角|男主|女主|英雄联盟|我的世界|"
    r"新闻|电视|电影|小说|游戏|吃鸡|狼人杀|王者|(?:刷|看)(?:到|了)(?:抖音|视频)|看到有人|听说|微博上|梦见|梦到|哈哈|"
    r"(?<!不是)(?<!没)开玩笑|只是问问|问问而已|不是要|不是我|"
    r"网上(?:说|看到|传)|安全吗|话剧|故事|演的是|剧本|怎么急救|练急救|急救(?:课|培训|知识)|(?<!谁会)(?<!快)心肺复苏(?!.{0,2}快)|假人|学一下|培训|演练|视频里|外地的|那段(?!时间|日子)|拍得|检修|正常作业|已经处理|合法吗|违法吗|犯法吗|(?:合法|违法|犯法)的吗|会(?:被)?(?:抓|判刑|判|拘留|坐牢)吗|就问问|口头禅|[一两三几]年前|(?:家|的|养的)(?:狗|猫|宠物|鹦鹉)|片子里|片里|(?:后|都|已经|现在(?:大家)?(?:都)?)没事|没事了|好在|怎么办才好|就是问问|(?:能|可以|要不要)报警吗")

# A film, a series, a novel, a game or the news from elsewhere: with no word of the worker's own
# (我, 咱, 这边) a danger in it is no alarm (小说里主角从悬崖上跳下去; 国外有个地方工人大罢工).
ELSEWHERE = re.compile(
    r"《|小说|电影(?!院)|电视剧|网剧|短剧|追剧|看剧|剧里|剧中|剧情|动漫|动画|漫画|番剧|主角|男主|女主|配角|反派|的戏|"
    r"这部(?:剧|片)|那部(?:剧|片)|国外|外国|热搜|看新闻|历史上|历史课|up主|别的城市|追的那个.{0,3}剧|新闻里|新闻上|新闻说|游戏里|刷到|视频里|网上(?:说|看到|传)|kandianying|kanxinwen")
OWN = re.compile(r"我|俺|咱|自己|这边|这里|这儿|救命|快来")

# Where the worker breaks off to something else (等一下，我们这边有人触电倒了): the guards of what came
# before say nothing of what follows.
TURN = re.compile(r"等一下|等等|等下|突然|不好了|出事了|快来人")

# A planned protest (明天都要停工上街) is a warning sign however it was heard of.
FUTURE = re.compile(r"明天|后天|今晚|下周|下礼拜|周[一二三四五六日末]|过两天|准备|打算|都要|要去")

# A protest the worker stood back from or talked down (有人说要去堵门，被我们劝住了; 我没去，还是走仲裁):
# no warning sign, even when it was planned.
STOOD_DOWN = re.compile(r"(?:我|我们|大家)(?:都)?没(?:去|参加|跟着)|没人(?:响应|去|跟)|劝(?:住|下来|回来)|不要违法|"
                        r"说气话|没啥动静|没什么动静|没打算|走(?:仲裁|法律|司法|正规)|正规(?:地|的)?(?:要|投诉|途径|渠道)|集体诉讼")


# A calm question about the rules (工伤怎么认定) takes the danger out of an injury, a fight or a
# protest it mentions, never out of words of suicide: 工伤怎么申请 算了 反正我也不想活了.
QUESTION_GUARD = re.compile(
    r"算不算工伤|算工伤|是不是工伤|能不能(?:报|赔|认定)|怎么(?:认定|赔|报|申请|预防|维权)|赔多少|报多少|工伤认定|流程|"
    r"如果(?=.*(?:怎么|吗|\?|能不能|会不会|算不算|多少|可以|该|什么|谁|哪))|一般怎么|算不算|有哪些症状|有什么症状|什么症状|会不会被|会被(?:开除|辞退|处罚|罚款)|(?:怎么|如何|怎样)(?:防止|预防|避免)|会(?:不会)?中毒|会不会有毒|有没有毒|有什么区别|什么意思")

# 救命 cried over a form or a payslip (救命，这个表格好难填) is no call for help.
HELP_HYPERBOLE = re.compile(r"救命[啊呀哇]*[,!.?]*(?:这|那|工资|表格|题|作业|好难|太难|看不懂|不会|好烦|笑死)|救命[啊呀哇]*[,!.?]*.{0,10}(?:怎么写|怎么填|申请书|表格)|(?:这|那)(?:题|道题|表|个表).{0,6}救救我")

# Words of the present: what the clause says is happening now.
NOW = re.compile(r"现在|正在|刚才|刚刚|马上|快来|还在")

# Danger words that everyday talk also uses as idiom or hyperbole (吐血, 打死也不去, 救救我吧 over a
# form, 压力, 拼了): a hit on them asks the classifier too (PATTERN_FLOOR in bot/safety/screen.py),
# where 罢工, 身后事 or 想不开 need no second opinion.
IDIOMATIC = re.compile(r"死|血|打|揍|杀|砍|捅|宰|救|压|毒|电|晕|昏|疯|拼|炸|刀|命|火|闹|抽|跳|困|不行|撑|熬|活|"
                       r"si|xue|da|jiu|sha|kan|ya|du|dian|yun|hun")


# Where one clause ends and the next begins: punctuation, and spaces except between Latin letters
# (a clause of English or pinyin, "liu xue bu zhi", stays one clause).
CLAUSE_BREAK = re.compile(r"[，。！？；、,.!?;…~～]+\s*|(?<![A-Za-z])\s+|\s+(?![A-Za-z])")


def clauses(text: str) -> list[str]:
    """The message's clauses, normalised (bot/safety/patterns.normalise), empty ones dropped."""
    return [c for c in (normalise(part) for part in CLAUSE_BREAK.split(text or "")) if c]


@dataclass(frozen=True)
class PatternHit:
    category: str | None  # the first pattern that matches, None when none does
    guarded: bool         # whether a guard defuses it (or, with no hit, whether any guard matches)
    clause: str           # the clause it matched in (the whole normalised message for a hit across clauses)
    whole: bool = True    # whether that clause is the whole message
    elsewhere: bool = False  # a film, a novel or the news, with no word of the worker's own
    strong: bool = False     # wording no guard defuses and no classifier doubts (STRONG)
    idiomatic: bool = True   # whether the words matched are also everyday idiom (IDIOMATIC)


def _hits(clause: str):
    """(category, negated, words matched) of each category whose pattern or pinyin phrase matches
    the clause."""
    for category in CATEGORIES:
        match = PATTERNS[category].search(clause)
        if match is None:
            for run in re.finditer(r"[a-z]+", clause):
                match = PINYIN[category].search(run.group())
                if match:
                    start = run.start() + match.start()
                    break
        else:
            start = match.start()
        if match is not None:
            yield category, category in NEGATABLE and bool(NEGATED.search(clause[:start])), match.group()


def pattern_hit(text: str) -> PatternHit:
    """A hit is defused by a guard of its own clause or of the whole message (a past event, a game;
    a question about the rules, except for words of suicide; a negation just before it); a hit that
    spans clauses is looked at in the whole message. After the worker breaks off (等一下), only the
    guards of what follows count."""
    whole = FALSE_FRIENDS.sub("", normalise(text))
    if STRONG.search(whole):
        return PatternHit("self_harm", False, whole, strong=True)
    elsewhere = bool(ELSEWHERE.search(whole)) and not OWN.search(whole)
    turns = list(TURN.finditer(whole))
    scope = whole[turns[-1].end():] if turns else whole
    message_guarded = bool(MESSAGE_GUARD.search(scope))
    question = bool(QUESTION_GUARD.search(scope))

    def defused(category: str, negated: bool, clause: str) -> bool:
        # A question about the rules says nothing of suicide nor of what happens now (我现在被关在仓库里).
        asks = question and category != "self_harm" and not NOW.search(clause)
        planned = category == "group_incident" and FUTURE.search(clause)
        cried = (category == "medical" and HELP_HYPERBOLE.search(whole)
                 and not PATTERNS["medical"].search(re.sub(r"救命|救救", "", clause)))
        stood_down = category == "group_incident" and STOOD_DOWN.search(scope)
        return bool((message_guarded and not planned) or asks or negated or cried or stood_down
                    or CLAUSE_GUARD.search(clause))

    parts = [FALSE_FRIENDS.sub("", c) for c in clauses(text)]
    first: PatternHit | None = None
    for clause in parts:
        for category, negated, matched in _hits(clause):
            hit = PatternHit(category, defused(category, negated, clause), clause,
                             len(parts) == 1 and clause == whole, elsewhere,
                             idiomatic=bool(IDIOMATIC.search(matched)))
            if not hit.guarded:
                return hit
            first = first or hit
    if first is not None:
        return first
    for category, negated, matched in _hits(whole):
        return PatternHit(category, defused(category, negated, whole), whole, True, elsewhere,
                          idiomatic=bool(IDIOMATIC.search(matched)))
    return PatternHit(None, message_guarded or question or bool(CLAUSE_GUARD.search(whole)), whole, True, elsewhere)


def pattern_category(text: str) -> tuple[str | None, bool]:
    """(category of the first pattern that matches, whether a guard defuses it)."""
    hit = pattern_hit(text)
    return hit.category, hit.guarded
