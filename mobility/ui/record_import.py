"""The counts page's "import a list of mobilities" tab: choose a profile (or map the columns), preview, import.

The uploaded file's bytes stay in Streamlit's in-memory upload store; rows are re-read on each run and never put in
session state, a cache or a log. Only column names, category values an editor maps, and codes reach the screen.
"""

import hashlib

import streamlit as st

from mobility import counts, files
from mobility import record_import as ri
from mobility.i18n import fmt_int
from mobility.service import ConcurrentEditError, NotAllowed, ValidationError
from mobility.ui import shell
from mobility.ui.data import cached_query, engine

OWN = "__own__"
NO_COLUMN = ""
PREVIEW_ROWS = 500
MAPPED_FIELDS = ("group", "direction", "programme", "level", "faculty")


def render(ctx: shell.PageContext) -> None:
    """Draw the whole tab (called inside ``with tab:`` by pages/counts.py)."""
    t, lang = ctx.t, ctx.lang
    st.markdown(t("recimport.lead"))
    if not ctx.actor.can_edit:
        st.caption(t("recimport.editors_only"))
        return
    profiles = cached_query(ri.all_profiles)()
    if just_saved := st.session_state.pop("_ri_select", None):
        st.session_state["ri_profile"] = just_saved  # the profile an editor just saved is the one in use
    chosen = st.selectbox(t("recimport.profile"), [*profiles, OWN], key="ri_profile",
                          format_func=lambda n: t("recimport.profile.own") if n == OWN else _profile_label(
                              profiles[n], t, lang))
    upload = st.file_uploader(t("recimport.file"), type=["csv", "xlsx"],
                              help=files.limits_text(lang, files.RECORD_LIMITS),
                              key=f"ri-upload-{st.session_state.get('_ri_uploads', 0)}")
    if upload is None:
        return
    data = upload.getvalue()
    try:
        table = ri.read_table(data, upload.name, lang=lang)
    except ValidationError as exc:
        _rejected(exc.problems, t)
        return
    base = None if chosen == OWN else profiles[chosen]
    missing = {} if base is None else ri.missing_columns(table, base)
    profile = base
    if base is None or missing:
        if missing:
            _rejected(ri.missing_messages(missing, lang), t)
        profile = mapping_step(ctx, table, base)
        if profile is None:
            return
    classified = ri.classify(table, profile, lang=lang)
    if classified.unmapped:
        profile = value_step(ctx, classified, profile)
        classified = ri.classify(table, profile, lang=lang)
    del table
    if base is None or profile.fields != base.fields:
        save_step(ctx, profile)
    if classified.problems:
        _rejected(classified.problems, t)
        return
    try:
        plan = ri.plan_classified(engine(), classified, profile, filename=upload.name, sha256=ri.file_digest(data),
                                  lang=lang)
    except ValidationError as exc:
        _rejected(exc.problems, t)
        return
    preview_step(ctx, plan)


def _profile_label(profile: ri.Profile, t, lang: str) -> str:
    label = profile.label(lang)
    return t("recimport.profile.saved", title=label) if profile.saved else label


def _rejected(problems: list[str], t) -> None:
    st.error(t("recimport.rejected") + "\n\n" + "\n".join(f"- {p}" for p in problems[:200]))


# Mapping -------------------------------------------------------------------------------------------------------

def _first_present(spec: dict | None, header: list[str]) -> str | None:
    by_norm = {ri._norm(h): h for h in header}
    for column in (spec or {}).get("columns", []):
        if ri._norm(column) in by_norm:
            return by_norm[ri._norm(column)]
    return None


def mapping_step(ctx: shell.PageContext, table: ri.Table, base: ri.Profile | None) -> ri.Profile | None:
    """One choice per field: the file's column that holds it, or a fixed value. None until enough is chosen."""
    t, lang = ctx.t, ctx.lang
    st.subheader(t("recimport.map.title"))
    st.caption(t("recimport.map.lead"))
    header = [h for h in table.header if h]
    base_fields = base.fields if base else {}
    suffix = "" if base is None else f"_{base.name}"  # switching profile starts from that profile's mapping
    fields: dict[str, dict] = {}
    c1, c2, c3 = st.columns(3)
    when = c1.radio(t("recimport.map.when"), ["start_date", "period"], key=f"ri_when{suffix}", horizontal=True,
                    index=1 if "period" in base_fields else 0,
                    format_func=lambda w: t(f"recimport.map.when.{'date' if w == 'start_date' else 'period'}"))
    current = _first_present(base_fields.get(when), header)
    column = c2.selectbox(t(f"recimport.field.{when}"), header, key=f"ri_col_{when}{suffix}",
                          index=header.index(current) if current else None, placeholder=t("recimport.map.choose"))
    if when == "start_date":
        formats = list(ri.DATE_FORMATS)
        fmt = base_fields.get("start_date", {}).get("format", "YYYY-MM-DD")
        fmt = c3.selectbox(t("recimport.map.format"), formats, key=f"ri_format{suffix}", index=formats.index(fmt))
        if column:
            fields["start_date"] = {"columns": [column], "format": fmt}
    elif column:
        fields["period"] = {"columns": [column]}
    complete = column is not None
    for f in MAPPED_FIELDS:
        col_box, fixed_box = st.columns(2)
        spec = base_fields.get(f, {})
        current = _first_present(spec, header)
        default = header.index(current) + 1 if current else (0 if "value" in spec or f in ("level", "faculty")
                                                             else None)
        column = col_box.selectbox(t(f"recimport.field.{f}"), [NO_COLUMN, *header], key=f"ri_col_{f}{suffix}",
                                   index=default, placeholder=t("recimport.map.choose"),
                                   format_func=lambda c: t("recimport.map.none") if c == NO_COLUMN else c)
        if column is None:
            complete = False
        elif column == NO_COLUMN:
            vocab = list(ri.VOCABULARIES[f])
            value = spec.get("value", vocab[-1] if "" in vocab else None)
            fixed = fixed_box.selectbox(
                t("recimport.map.fixed", field=t(f"recimport.field.{f}")), vocab, key=f"ri_fixed_{f}{suffix}",
                index=vocab.index(value) if value in vocab else None, placeholder=t("recimport.map.choose"),
                format_func=lambda c, f=f: t(f"counts.{f}.{c}"))
            if fixed is None:
                complete = False
            else:
                fields[f] = {"value": fixed}
        else:  # the base profile's value map, empty code and rule still apply to the column chosen here
            fields[f] = {**{k: v for k, v in spec.items() if k not in ("columns", "value")}, "columns": [column]}
            if f in ("level", "faculty"):
                fields[f].setdefault("empty", "")
    if not complete:
        return None
    raw = {"name": base.name if base else "mapping", "title": base.title if base else {},
           "fields": fields, "scope": base.scope if base else {}}
    try:
        return ri.parse_profile(raw, lang=lang)
    except ValidationError as exc:
        _rejected(exc.problems, t)
        return None


def _value_key(f: str, value: str) -> str:
    return f"ri_val_{f}_{hashlib.sha256(value.encode()).hexdigest()[:12]}"


def value_step(ctx: shell.PageContext, classified: ri.Classified, profile: ri.Profile) -> ri.Profile:
    """A choice for each unfamiliar value of a mapped category column; returns the profile with those maps added."""
    t = ctx.t
    fields = {f: dict(spec) for f, spec in profile.fields.items()}
    shown = [u for u in classified.unmapped if not u.too_many]
    if shown:
        st.subheader(t("recimport.map.title"))
    for entry in shown:
        st.markdown(f"**{t('recimport.map.values', column=entry.column)}**")
        vocab = list(ri.VOCABULARIES[entry.field])
        boxes = st.columns(3)
        for n, (value, rows) in enumerate(entry.rows.items()):
            chosen = boxes[n % 3].selectbox(
                t("recimport.map.value", value=value, n=fmt_int(len(rows), ctx.lang)), vocab,
                key=_value_key(entry.field, value), index=None, placeholder=t("recimport.map.choose"),
                format_func=lambda c, f=entry.field: t(f"counts.{f}.{c}"))
            if chosen is not None:
                fields[entry.field] = {**fields[entry.field],
                                       "values": {**(fields[entry.field].get("values") or {}), value: chosen}}
    return ri.Profile(name=profile.name, title=profile.title, fields=fields, scope=profile.scope, saved=profile.saved)


def save_step(ctx: shell.PageContext, profile: ri.Profile) -> None:
    """Keep this mapping under a name, so the next file of the same layout is recognised."""
    t = ctx.t
    c1, c2 = st.columns([2, 1], vertical_alignment="bottom")
    name = c1.text_input(t("recimport.map.name"), key="ri_name", max_chars=60,
                         value="" if profile.name == "mapping" or not profile.saved else profile.name)
    if c2.button(t("recimport.map.save"), key="ri_save_profile", disabled=not name.strip(),
                 icon=":material/save:"):
        named = ri.Profile(name=name.strip(), title={"sv": name.strip(), "en": name.strip()}, fields=profile.fields,
                           scope=profile.scope)
        try:
            ri.save_profile(engine=engine(), actor=ctx.actor, profile=named, lang=ctx.lang)
        except (ValidationError, NotAllowed) as exc:
            shell.show_write_error(exc, ctx.lang)
        else:
            st.session_state["_ri_select"] = named.name
            shell.saved(t("recimport.map.saved", name=named.name))


# Preview and import -------------------------------------------------------------------------------------------

def _cell_text(key: counts.Key, t) -> str:
    year, term, group, direction, programme, level, faculty = key
    parts = [str(year), t(f"counts.term.{term}"), t(f"counts.group.{group}"), t(f"counts.direction.{direction}"),
             t(f"counts.programme.{programme}"), t(f"counts.level.{level}") if level else "",
             t(f"counts.faculty.{faculty}") if faculty else ""]
    return " · ".join(p for p in parts if p)


def _number(value, lang: str) -> str:
    return "–" if value is None else fmt_int(value, lang)


def preview_step(ctx: shell.PageContext, plan: ri.ImportPlan) -> None:
    t, lang = ctx.t, ctx.lang
    summary = plan.summary
    st.markdown(t("recimport.summary", file=plan.filename, rows=fmt_int(plan.rows, lang),
                  cells=fmt_int(len({c.key for c in plan.changes}) + summary.unchanged, lang),
                  added=fmt_int(summary.added, lang), changed=fmt_int(summary.changed, lang),
                  unchanged=fmt_int(summary.unchanged, lang)))
    st.caption(ri.term_rule_text(plan, lang))
    st.caption(t("recimport.scope",
                 periods=", ".join(f"{t(f'counts.term.{term}')} {year}" for year, term in plan.periods),
                 groups=", ".join(t(f"counts.group.{g}") for g in plan.scope["groups"]),
                 directions=", ".join(t(f"counts.direction.{d}") for d in plan.scope["directions"]),
                 programmes=", ".join(t(f"counts.programme.{p}") for p in plan.scope["programmes"])))
    with st.expander(t("recimport.samples")):
        st.dataframe({t("recimport.col.row"): [n for n, _ in plan.samples],
                      t("counts.col.cell"): [_cell_text(k, t) for _, k in plan.samples]},
                     hide_index=True, width="stretch", key="ri_samples")
    if not plan.changes:
        st.info(t("recimport.nothing"))
        return
    shown = plan.changes[:PREVIEW_ROWS]
    st.markdown(f"**{t('recimport.preview')}**" + (f" ({t('recimport.preview_cut', n=PREVIEW_ROWS)})"
                                                      if len(plan.changes) > PREVIEW_ROWS else ""))
    st.dataframe({t("counts.col.cell"): [_cell_text(c.key, t) for c in shown],
                  t("counts.col.before"): [_number(c.before, lang) for c in shown],
                  t("counts.col.after"): [_number(c.after, lang) for c in shown],
                  t("recimport.col.source"): [t(f"history.value.{c.before_source}") if c.before_source else "–"
                                              for c in shown]},
                 hide_index=True, width="stretch", key="ri_preview")
    confirmed = True
    if plan.hand_typed:
        st.warning(t("recimport.hand_typed", n=len(plan.hand_typed)) + "\n\n" + "\n".join(
            f"- {_cell_text(c.key, t)}: {_number(c.before, lang)} → {_number(c.after, lang)}"
            for c in plan.hand_typed[:100]))
        confirmed = st.checkbox(t("recimport.confirm"), key="ri_confirm")
    if st.button(t("recimport.button"), type="primary", key="ri_import", disabled=not confirmed,
                 icon=":material/upload:"):
        try:
            summary = ri.save_import(engine=engine(), actor=ctx.actor, plan=plan, confirm_hand_typed=confirmed,
                                     lang=lang)
        except counts.CountConflict:
            st.error(t("counts.conflict"))
        except (ValidationError, ConcurrentEditError, NotAllowed) as exc:
            shell.show_write_error(exc, lang)
        else:
            st.session_state["_ri_uploads"] = st.session_state.get("_ri_uploads", 0) + 1
            shell.saved(t("recimport.saved", added=summary.added, changed=summary.changed))
