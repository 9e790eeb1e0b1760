"""The one HTTP endpoint the app adds to Streamlit's server: it turns a login ticket into an HttpOnly cookie.

A Streamlit script talks to the browser over a websocket and cannot send a ``Set-Cookie`` header, and a cookie set
by JavaScript could be read by any script on the page. So after a login the page loads ``session/cookie?ticket=…``
(a hidden image, same origin) and this route answers with the cookie. Later page loads send it with the websocket
handshake, where ``st.context.cookies`` reads it.
"""

from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mobility import sessions

PATH = "/session/cookie"


def _secrets_file() -> Path:
    from streamlit import config

    return Path(config.get_option("secrets.files")[-1])


def _no_store(status: int) -> Response:
    return Response(status_code=status, headers={"Cache-Control": "no-store"})


def set_cookie(request: Request) -> Response:
    """``?ticket=…`` sets the session cookie; ``?end=1`` removes it (after a logout)."""
    if request.query_params.get("end") == "1":
        response = _no_store(204)
        response.delete_cookie(sessions.COOKIE, path="/")
        return response
    issued = sessions.cookie_for_ticket(sessions.secret(_secrets_file()), request.query_params.get("ticket"))
    if issued is None:
        return _no_store(403)
    value, max_age = issued
    response = _no_store(204)
    https = request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https"
    response.set_cookie(sessions.COOKIE, value, max_age=max_age, path="/", httponly=True, samesite="lax",
                        secure=https)
    return response


ROUTES = [Route(PATH, set_cookie, methods=["GET"])]


# The page side (runs inside a Streamlit script) ---------------------------------------------------------------------
def _st():
    import streamlit as st

    return st


def current_actor(accounts) -> "sessions.Actor":
    """This tab's login: kept in the tab's state while its session lasts, or restored from the cookie after a reload.

    ``accounts()`` gives the local accounts, so a cookie of a removed account or a changed role logs nobody in.
    """
    from mobility.ui.data import engine

    st = _st()
    saved, session_id = st.session_state.get("actor"), st.session_state.get("session_id")
    if saved:
        if session_id and not sessions.is_active(engine(), session_id):  # logged out in another tab or browser
            for key in ("actor", "session_id", "_cookie_ticket"):
                st.session_state.pop(key, None)
            return sessions.VIEWER
        return sessions.Actor(*saved)
    if st.session_state.get("_cookie_read"):  # the handshake's cookies stay the same while the session lasts
        return sessions.VIEWER
    st.session_state["_cookie_read"] = True
    cookie = st.context.cookies.get(sessions.COOKIE)
    if not cookie:
        return sessions.VIEWER
    actor, session_id = sessions.actor_for(engine(), sessions.secret(_secrets_file()), cookie)
    if session_id is None or (accounts().get(actor.name) or {}).get("role") != actor.role:
        return sessions.VIEWER
    st.session_state["actor"], st.session_state["session_id"] = (actor.name, actor.role), session_id
    return actor


def remember(actor) -> None:
    """After a successful login: a server-side session, and its ticket for the cookie request (see hand_over)."""
    from mobility.ui.data import engine

    st = _st()
    session_id, ticket = sessions.start(engine(), sessions.secret(_secrets_file()), actor)
    st.session_state["session_id"], st.session_state["_cookie_ticket"] = session_id, ticket


def forget(actor) -> None:
    """Log out everywhere: every session of the account ends; this browser also drops its cookie."""
    from mobility.ui.data import engine

    st = _st()
    sessions.end_everywhere(engine(), actor.name)
    for key in ("actor", "session_id", "_cookie_ticket"):
        st.session_state.pop(key, None)
    st.session_state["_cookie_ticket"] = "end"


def hand_over() -> None:
    """Let the browser fetch the cookie (or its removal) with a hidden same-origin image, once per login/logout.

    The image is drawn in the run right after the login; the browser requests it as soon as it is on the page.
    """
    st = _st()
    ticket = st.session_state.pop("_cookie_ticket", None)
    if not ticket:
        return
    query = "end=1" if ticket == "end" else f"ticket={ticket}"
    # Relative to the page (/, /budget …), so it also works under a proxy's path prefix.
    st.html(f'<img src="{PATH.lstrip("/")}?{query}" alt="" width="1" height="1" '
            'style="position:absolute;opacity:0;pointer-events:none">')
