"""Build the DOCX templates of the 行政复议文书 kept next to this file.

Run after changing a text below, and commit the regenerated files:

    .venv/bin/python -m fazhi.reconsideration.doc_templates.build_templates

The templates are ordinary Word files in the 公文 layout of ``fazhi.core.documents`` (styles with
East-Asian fonts, margins, page numbers), with docxtpl/Jinja2 placeholders filled by
``fazhi.reconsideration.documents``. Staff may polish a template's wording in Word; keep the
placeholders in one run (retype them rather than editing half of one) and mirror the change here,
since a test checks that the files match this script.

Each text cites the article of 《中华人民共和国行政复议法》(2023年修订) that requires the document
or its content (statutory-rules.md §1). ``{%p … %}`` lines are Jinja tags on a paragraph of their
own (docxtpl removes that paragraph when rendering).
"""
from __future__ import annotations

import sys
from pathlib import Path

from fazhi.core.documents import OfficialDocument

HERE = Path(__file__).resolve().parent
LAW = "《中华人民共和国行政复议法》"

# The case as the documents name it: "李建华不服云溪区住房和城乡建设局……行政复议一案（案号：…）".
CASE_REF = "{{ applicants }}不服{{ respondent }}{{ act }}行政复议一案（案号：{{ case_number }}）"


def _parties(doc: OfficialDocument) -> None:
    """The parties of a decision or 调解书, flush left (申请人 with address; no ID numbers: not needed)."""
    doc.paragraph("{%p for line in applicant_lines %}")
    doc.paragraph("{{ line }}")
    doc.paragraph("{%p endfor %}")
    doc.paragraph("被申请人：{{ respondent }}。")


def _lines(doc: OfficialDocument, var: str) -> None:
    doc.paragraph(f"{{%p for line in {var} %}}")
    doc.paragraph("{{ line }}")
    doc.paragraph("{%p endfor %}")


def _end(doc: OfficialDocument, closing: str = "特此通知。") -> None:
    if closing:
        doc.paragraph(closing)


def acceptance(doc: OfficialDocument) -> None:
    doc.title("行政复议受理通知书").doc_number("{{ doc_number }}").addressee("{{ applicants }}")
    doc.paragraph("你（单位）于{{ received }}提出的行政复议申请（被申请人：{{ respondent }}；被申请行政复议的行政行为："
                  "{{ act }}）收悉。")
    doc.paragraph("{%p if deemed %}")
    doc.paragraph(f"本机关在审查期限内未作出不予受理决定。依据{LAW}第三十条第二款的规定，"
                  "该申请自审查期限届满之日即{{ accepted }}起视为受理。")
    doc.paragraph("{%p else %}")
    doc.paragraph(f"经审查，该申请符合{LAW}第三十条第一款规定的受理条件，本机关决定自{{{{ accepted }}}}起受理。")
    doc.paragraph("{%p endif %}")
    doc.paragraph("本案案号为{{ case_number }}，适用{{ procedure }}审理。依据"
                  f"{LAW}第六十二条{{{{ trial_clause }}}}的规定，本机关应当自受理申请之日起{{{{ trial_days }}}}日内，"
                  "即于{{ trial_due }}前作出行政复议决定{% if ordinary %}；情况复杂，不能在规定期限内作出行政复议决定的，"
                  "经行政复议机构的负责人批准，可以适当延长，并书面告知当事人，但是延长期限最多不超过三十日{% endif %}。")
    doc.paragraph(f"依据{LAW}第{{{{ copy_article }}}}的规定，本机关将自受理之日起{{{{ copy_days }}}}个工作日内，"
                  "将行政复议申请书副本或者行政复议申请笔录复印件发送被申请人。")
    _end(doc)
    doc.signature("{{ organ }}", "{{ date }}")


def correction(doc: OfficialDocument) -> None:
    doc.title("行政复议补正通知书").doc_number("{{ doc_number }}").addressee("{{ applicants }}")
    doc.paragraph("你（单位）于{{ received }}提出的行政复议申请（被申请人：{{ respondent }}；被申请行政复议的行政行为："
                  f"{{{{ act }}}}），申请材料不齐全或者表述不清楚，无法判断是否符合{LAW}第三十条第一款规定的受理条件。"
                  "依据该法第三十一条第一款的规定，现一次性告知需要补正的事项如下：")
    _lines(doc, "items")
    doc.paragraph("请你（单位）自收到本通知之日起十个工作日内提交补正材料（本通知于{{ date }}发出，补正期限计至"
                  "{{ correction_due }}）。有正当理由不能按期补正的，可以向本机关申请延长补正期限。无正当理由逾期不补正的，"
                  "视为你（单位）放弃行政复议申请，并记录在案。")
    doc.paragraph("本机关自收到补正材料之日起，依照该法第三十条的规定重新审查。")
    _end(doc)
    doc.signature("{{ organ }}", "{{ date }}")


def refusal(doc: OfficialDocument) -> None:
    doc.title("不予受理行政复议申请决定书").doc_number("{{ doc_number }}")
    _parties(doc)
    doc.paragraph("申请人不服被申请人作出的{{ act }}，于{{ received }}向本机关提出行政复议申请。")
    _lines(doc, "reasons")  # the first begins with "经审查，本机关认为："
    doc.paragraph(f"该申请不符合{LAW}第三十条第一款规定的受理条件。依据该法第三十条第一款的规定，本机关决定不予受理。")
    doc.paragraph("申请人如不服本决定，可以依法向人民法院提起行政诉讼；属于该法第二十三条规定应当先向行政复议机关申请"
                  "行政复议的情形的，可以自收到本决定书之日起十五日内，依法向人民法院提起行政诉讼（该法第三十四条）。")
    doc.signature("{{ organ }}", "{{ date }}")


def reply_notice(doc: OfficialDocument) -> None:
    doc.title("提出行政复议答复通知书").doc_number("{{ doc_number }}").addressee("{{ respondent }}")
    doc.paragraph("申请人{{ applicants }}不服你单位作出的{{ act }}，向本机关申请行政复议，本机关已于{{ accepted }}依法受理"
                  "（案号：{{ case_number }}），适用{{ procedure }}审理。")
    doc.paragraph(f"依据{LAW}第{{{{ reply_article }}}}的规定，现将行政复议申请书副本或者行政复议申请笔录复印件发送你单位。"
                  "请你单位自收到之日起{{ reply_days }}个工作日内（自{{ reply_from }}收到起算，至{{ reply_due }}届满），"
                  "提出书面答复，并提交作出行政行为的证据、依据和其他有关材料。")
    doc.paragraph("被申请人不按照规定提出书面答复、提交作出行政行为的证据、依据和其他有关材料的，视为该行政行为没有证据、"
                  "依据，本机关将依照该法第七十条的规定，决定撤销、部分撤销该行政行为，确认该行政行为违法、无效或者决定"
                  "被申请人在一定期限内履行，但是行政行为涉及第三人合法权益，第三人提供证据的除外。")
    _end(doc)
    doc.attachment_line("行政复议申请书副本（行政复议申请笔录复印件）")
    doc.signature("{{ organ }}", "{{ date }}")


def hearing(doc: OfficialDocument) -> None:
    doc.title("行政复议听证通知书").doc_number("{{ doc_number }}").addressee("{{ parties }}")
    doc.paragraph(f"本机关受理的{CASE_REF}，依据{LAW}第五十条的规定，决定举行听证。现将有关事项通知如下：")
    doc.paragraph("一、听证时间：{{ held_on }}。")
    doc.paragraph("二、听证地点：{{ place }}。")
    doc.paragraph("三、听证主持人：{{ presider }}。")
    doc.paragraph("四、拟听证事项：被申请人作出的{{ act }}是否合法、适当{% if request %}；申请人的行政复议请求：{{ request }}"
                  "{% endif %}。")
    doc.paragraph("五、请当事人按时参加听证。申请人无正当理由拒不参加听证的，视为放弃听证权利。被申请人的负责人应当参加"
                  "听证；不能参加的，应当说明理由并委托相应的工作人员参加听证。")
    doc.paragraph(f"本通知依照{LAW}第五十一条的规定，于举行听证的五日（工作日）前书面送达当事人。")
    _end(doc)
    doc.signature("{{ organ }}", "{{ date }}")


def extension(doc: OfficialDocument) -> None:
    doc.title("延期审理通知书").doc_number("{{ doc_number }}").addressee("{{ parties }}")
    doc.paragraph(f"本机关于{{{{ accepted }}}}受理的{CASE_REF}，因{{{{ reason }}}}，不能在规定期限"
                  "（{{ original_due }}届满）内作出行政复议决定。")
    doc.paragraph(f"本案情况复杂，经行政复议机构的负责人批准，依据{LAW}第六十二条第一款的规定，"
                  "审理期限延长{{ days }}日，至{{ new_due }}届满。")
    _end(doc)
    doc.signature("{{ organ }}", "{{ date }}")


def suspension(doc: OfficialDocument) -> None:
    doc.title("行政复议中止审理通知书").doc_number("{{ doc_number }}").addressee("{{ parties }}")
    doc.paragraph(f"本机关于{{{{ accepted }}}}受理的{CASE_REF}，因出现{LAW}第三十九条第一款第{{{{ ground_no }}}}项"
                  "规定的情形，即{{ ground_text }}{% if reason %}（{{ reason }}）{% endif %}，依据该条的规定，"
                  "本机关决定自{{ from_on }}起中止该案的审理。")
    doc.paragraph("行政复议中止的原因消除后，本机关将及时恢复审理，并书面告知当事人。")
    doc.paragraph("{%p if limit_due %}")
    doc.paragraph("依照该法第四十一条第五项的规定，因上述情形中止行政复议满六十日（至{{ limit_due }}），"
                  "行政复议中止的原因仍未消除的，行政复议终止。")
    doc.paragraph("{%p endif %}")
    _end(doc)
    doc.signature("{{ organ }}", "{{ date }}")


def resumption(doc: OfficialDocument) -> None:
    doc.title("行政复议恢复审理通知书").doc_number("{{ doc_number }}").addressee("{{ parties }}")
    doc.paragraph(f"本机关于{{{{ accepted }}}}受理的{CASE_REF}，因{{{{ ground_text }}}}，已于{{{{ from_on }}}}中止审理。")
    doc.paragraph(f"现中止的原因已经消除，依据{LAW}第三十九条的规定，本机关决定自{{{{ to_on }}}}起恢复审理。"
                  "本案审理期限至{{ trial_due }}届满。")
    _end(doc)
    doc.signature("{{ organ }}", "{{ date }}")


def decision(doc: OfficialDocument) -> None:
    doc.title("行政复议决定书").doc_number("{{ doc_number }}")
    _parties(doc)
    doc.paragraph("申请人不服被申请人作出的{{ act }}，于{{ received }}向本机关申请行政复议，本机关于{{ accepted }}依法"
                  "{{ accepted_how }}，适用{{ procedure }}审理。{{ course }}本案现已审理终结。")
    doc.paragraph("申请人请求：{{ request }}")
    doc.paragraph("{%p for line in reply_lines %}")
    doc.paragraph("{{ line }}")
    doc.paragraph("{%p endfor %}")
    _lines(doc, "reasons")  # the first begins with "本机关认为："
    doc.paragraph(f"依据{LAW}{{{{ article }}}}的规定，本机关决定如下：")
    doc.paragraph("{{ operative }}")
    doc.paragraph("本决定书一经送达，即发生法律效力（该法第七十五条）。")
    doc.paragraph("申请人如不服本决定，可以自收到本决定书之日起十五日内，依法向人民法院提起行政诉讼"
                  "（《中华人民共和国行政诉讼法》第四十五条）。")
    doc.signature("{{ organ }}", "{{ date }}")


def mediation(doc: OfficialDocument) -> None:
    doc.title("行政复议调解书").doc_number("{{ doc_number }}")
    _parties(doc)
    doc.paragraph("申请人不服被申请人作出的{{ act }}，于{{ received }}向本机关申请行政复议，本机关于{{ accepted }}依法"
                  "{{ accepted_how }}。")
    doc.paragraph("申请人请求：{{ request }}")
    doc.paragraph(f"本案审理过程中，本机关依照{LAW}第五条的规定，遵循合法、自愿的原则进行调解，当事人自愿达成如下协议：")
    _lines(doc, "terms")
    doc.paragraph("本调解书经各方当事人签字或者签章，并加盖本机关印章，即具有法律效力（该法第七十三条）。")
    doc.blank_line()
    doc.paragraph("申请人（签字或者签章）：", indent=False)
    doc.paragraph("被申请人（签章）：", indent=False)
    doc.signature("{{ organ }}", "{{ date }}")


BUILDERS = {
    "acceptance": acceptance,
    "correction": correction,
    "refusal": refusal,
    "reply_notice": reply_notice,
    "hearing": hearing,
    "extension": extension,
    "suspension": suspension,
    "resumption": resumption,
    "decision": decision,
    "mediation": mediation,
}


def build(kind: str) -> OfficialDocument:
    doc = OfficialDocument()
    BUILDERS[kind](doc)
    # Fixed properties (the rendered file gets its own title and author).
    doc.set_properties(title="行政复议文书模板", author="Fazhi", subject="行政复议文书")
    return doc


def path_of(kind: str) -> Path:
    return HERE / f"{kind}.docx"


def main(argv: list[str] | None = None) -> int:
    kinds = (argv or sys.argv[1:]) or list(BUILDERS)
    for kind in kinds:
        if kind not in BUILDERS:
            print(f"未知的文书模板：{kind}（可选：{'、'.join(BUILDERS)}）", file=sys.stderr)
            return 2
        build(kind).save(path_of(kind))
        print(f"已生成 {path_of(kind).relative_to(HERE.parents[2])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
