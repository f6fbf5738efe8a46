"""The reply check's default rules and phrase lists (issue 17), seeded by migrations 0003 and 0005 and editable in admin.

Kept in one place so the data migrations, the tests and the benchmark read the same defaults. Weights are the
points a finding takes off a score of 100; thresholds are each rule's own number (documented per rule).

Weights fitted on block a of the hand labels (benchmarks/reply_fit.py, ADR 025 2026-12-07): the amount of
substance (`short`) is what agreed with the labels; a reply that names none of the request's key points, one that
only says "forwarded" and a referral without a contact keep points off. The other rules are at weight 0: their
findings are shown as advice and take nothing off, since on the labelled pairs they did not mark worse replies
(an administrator may give them points again). Rules at weight 0 keep their hand-set thresholds.
"""

from __future__ import annotations

# code, weight, threshold, blocking (a finding at once means 退回修改), description
DEFAULT_RULES: tuple[tuple[str, int, float, bool, str], ...] = (
    ("relevance", 30, 0.1, False,
     "Share (0–1) of the request's key points (place, object, demand) the reply names; below it: a finding."),
    ("relevance_point", 0, 0.5, False,
     "Points off per key point the reply does not name (at most 3), when fewer than this share (0–1) are named."),
    ("transfer_only", 50, 30, False,
     "The reply only says the request was received or forwarded: fewer than this many characters of substance."),
    ("no_action", 0, 0, False, "The reply says neither what was found or done, nor what will be done, nor why not."),
    ("no_time", 0, 0, False, "The reply promises a step but gives no date or time limit."),
    ("no_contact", 10, 0, False, "The reply sends the requester elsewhere without a telephone number or an address."),
    ("short", 100, 150, False,
     "Fewer than this many characters of substance (greetings and thanks not counted); the shorter, the more points off."),
    ("no_facts", 0, 3, False,
     "Fewer than this many concrete facts (dates, figures, names of documents or places); graded like short."),
    ("template", 0, 0.85, False,
     "Similarity (0–1) above which the reply is a near copy of the unit's reply to a different request."),
    ("late", 10, 15, False, "Sent after the deadline; without a deadline, after this many days from receipt."),
    ("forbidden", 60, 0, True, "A forbidden or impolite phrase."),
    ("personal_data", 60, 0, True, "A mobile number, an ID number or the requester's name, which must not go public."),
    ("refusal_no_policy", 0, 0, False, "The reply refuses without citing a policy, law or document."),
    ("ask_info", 0, 0, False, "The reply asks for more details or says the matter cannot be verified, instead of answering."),
    ("no_concrete", 0, 1, False,
     "Fewer than this many sentences stating a finding, a measure taken, a date, a figure or a document."),
    ("unanswered_when", 0, 0, False, "The request asks when; the reply gives no date or time limit."),
    ("level_send", 0, 85, False, "Score at or above this: 可发 (may be sent)."),
    ("level_return", 0, 40, False, "Score below this: 退回修改 (send back for rewriting); between the two: 建议修改."),
)

# The defaults of migration 0003 (ADR 025's first, hand-set weights): migration 0005 moves a rule from these to
# DEFAULT_RULES only where an administrator has not changed it, and benchmarks/knowledge.py reports them beside the
# fitted ones on the held-out labels.
HAND_SET_RULES: tuple[tuple[str, int, float, bool], ...] = (
    ("relevance", 30, 0.25, False), ("relevance_point", 2, 0.5, False), ("transfer_only", 50, 30, False),
    ("no_action", 35, 0, False), ("no_time", 5, 0, False), ("no_contact", 10, 0, False), ("short", 30, 150, False),
    ("no_facts", 8, 3, False), ("template", 30, 0.85, False), ("late", 10, 15, False), ("forbidden", 60, 0, True),
    ("personal_data", 60, 0, True), ("refusal_no_policy", 15, 0, False), ("level_send", 0, 75, False),
    ("level_return", 0, 45, False),
)

# kind → phrases. Matching is plain substring search on the reply (normalised: NFKC, lower case).
DEFAULT_PHRASES: dict[str, tuple[str, ...]] = {
    # what was found or done
    "done": ("经查", "经核实", "经调查", "调查核实", "经核查", "核查", "现场", "已对", "已于", "已经", "已将", "已安排", "已完成",
             "已责令", "责令", "约谈", "下达", "整改", "立案", "查处", "处罚", "协调", "召开", "已修复", "已清理", "已恢复",
             "已纳入", "已列入", "已启动", "已开工", "已发放", "已支付", "办理了", "组织", "实地", "据查", "核实"),
    # what will be done
    "plan": ("将", "计划", "预计", "下一步", "拟", "争取", "力争", "待", "后续", "今后", "尽快", "近期", "年底前", "年内"),
    # why not / what applies
    "reason": ("因", "由于", "根据", "按照", "依据", "不符合", "不属于", "暂不", "无法", "规定", "政策", "条件", "需", "应当",
               "可以", "可向", "办理", "材料", "流程"),
    # refusing
    "refusal": ("不予", "不能", "无法", "不符合", "不属于", "不同意", "拒绝", "不予受理", "不予支持", "暂不", "不存在"),
    # citing a policy
    "policy": ("《", "规定", "条例", "办法", "法》", "文件", "第", "政策", "通知", "意见", "标准", "号）", "号)", "〔", "["),
    # received / forwarded, nothing more
    "transfer": ("已转", "转交", "转至", "转由", "交办", "已收悉", "收悉", "已获悉", "获悉", "调查核处", "核实、办复", "核查、办复",
                 "调查办复", "调查、核处", "已转交相关单位", "将及时反馈", "转有关部门"),
    # sending the requester elsewhere
    "referral": ("建议咨询", "建议您向", "建议向", "请向", "请咨询", "请联系", "可联系", "请到", "前往", "请致电", "可拨打",
                 "请拨打", "直接咨询", "请您与", "建议您与"),
    # forbidden / impolite
    # (Substring matching: no single characters or words with an ordinary meaning — "滚" matched 滚动开发, "神经病" a
    # diagnosis, "你这种" "你这种情况", "自己去" "可以自己去新华书店订购" in the TipDM replies.)
    "forbidden": ("无可奉告", "不归我们管", "与我们无关", "爱找谁找谁", "别再", "你这种人", "无理取闹", "刁民", "你神经病",
                  "少管闲事", "不要再", "没空", "自己想办法", "活该", "滚开", "滚出去", "滚蛋", "不关我们的事", "随便你",
                  "投诉也没用"),
    # asking the requester for details, or saying the matter cannot be verified, instead of answering
    "ask_info": ("无法核实", "无法查实", "无法核查", "无法着手", "未提供", "没有提供", "请提供", "请您提供", "过于笼统", "不够具体",
                 "稍欠具体", "以便查实", "以便核实", "无法联系", "没有留", "未留"),
    # sentences that carry nothing (stripped before substance is measured)
    "boilerplate": ("您好", "你好", "网友", "您的留言已收悉", "来信收悉", "现将有关情况回复如下", "现回复如下", "现答复如下",
                    "感谢您对我们工作的支持、理解与监督", "感谢您对我们工作的关心、监督与支持", "感谢您的留言", "特此回复",
                    "谢谢", "感谢", "祝您", "欢迎", "高度重视", "此复", "现将", "回复如下", "答复如下"),
}
