vcl 4.1;

# cso_press: the shared HTTP cache between nginx and gunicorn (Debian package `varnish`, 7.1).
#
#   nginx (TLS, compression, static files) -> varnishd 127.0.0.1:6081 -> gunicorn 127.0.0.1:8001
#
# What it keeps: only what the application marks as a public page for anonymous readers, i.e. an answer with a
# `Surrogate-Key` header (the page's cache tags) and `s-maxage` in its Cache-Control. The application makes
# s-maxage end at the next scheduled publication or local midnight, so a scheduled release appears at its
# minute; `stale-while-revalidate` (absent when the page ends at such a minute) becomes the grace period, used
# only while gunicorn counts as sick (that needs a health probe on the backend; there is none by default).
# Everything else (the admin, forms, embargo links, signed-in editors, answers that set a cookie) passes through.
# A kept page is served until its s-maxage ends, never a second past it: no stale copy while gunicorn answers.
#
# How it forgets: right after each committed change the application (or, when that fails, its task
# `cache.purge_tags`) sends
#   PURGE /  with  Surrogate-Key: release:12 section:3 list:home ...
# (DJANGO_CACHE_PURGE_URLS=http://127.0.0.1:6081/), and every kept page carrying one of those tags is banned.
#
# Addresses to adapt (scripts/varnish_front.py `local_vcl` replaces exactly these for a local run):
#   127.0.0.1 / "8001"            gunicorn (GUNICORN_BIND)
#   the `purgers` list            the hosts whose application may purge (every app server and worker host)
#   /srv/cso_press/app/deploy/nginx/maintenance.html   the page readers get while gunicorn does not answer
#
# Installed as /etc/varnish/cso_press.vcl, run by deploy/systemd/varnish.service.d/cso_press.conf (docs/deploy.md,
# "The shared cache (Varnish)").

import std;

backend cso_press_app {
    .host = "127.0.0.1";
    .port = "8001";
    .connect_timeout = 5s;
    .first_byte_timeout = 60s;
    .between_bytes_timeout = 30s;
}

acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    # nginx sets X-Forwarded-For to the reader's address; varnishd appended nginx's own before this sub runs.
    # Drop that last hop so the application, which trusts exactly one proxy (the last entry, written by nginx;
    # cso_press/accounts/auth_backends.py client_ip), still sees the reader.
    if (req.http.X-Forwarded-For ~ ",") {
        set req.http.X-Forwarded-For = regsub(req.http.X-Forwarded-For, "\s*,[^,]*$", "");
    }

    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        # Tags are words of letters, digits and : _ - separated by spaces, at least one; anything else is
        # refused, so the header cannot inject a regular expression (nor, blank, match every page).
        if (!req.http.Surrogate-Key || req.http.Surrogate-Key !~ "^ *[A-Za-z0-9:_-]+( +[A-Za-z0-9:_-]+)* *$") {
            return (synth(400, "Surrogate-Key with tags needed"));
        }
        set req.http.X-Purge-Tags = regsuball(regsuball(req.http.Surrogate-Key, "^ +| +$", ""), " +", "|");
        if (!std.ban("obj.http.Surrogate-Key ~ (^|[[:space:]])(" + req.http.X-Purge-Tags + ")([[:space:]]|$)")) {
            return (synth(500, "Ban refused: " + std.ban_error()));
        }
        return (synth(200, "Purged"));
    }

    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # A signed-in editor (Django's session cookie, "__Host-sessionid" in production) never shares a page.
    if (req.http.Cookie ~ "(^|;\s*)(__Host-)?sessionid=" || req.http.Authorization) {
        return (pass);
    }
    # Anonymous readers: their other cookies (the CSRF token of a form) change nothing on a public page. Only
    # Django's language choice goes on, for the address without a language ("/"), which redirects by it (that
    # answer is never kept: it is not a 200).
    if (req.http.Cookie ~ "(^|;\s*)django_language=") {
        set req.http.Cookie = regsub(req.http.Cookie, "^(.*;\s*)?(django_language=[^;]*).*$", "\2");
    } else {
        unset req.http.Cookie;
    }

    # Tracking parameters never make a new copy (the application ignores them too).
    if (req.url ~ "[?&](utm_[a-z]+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|yclid|_ga|_gl)=") {
        set req.url = regsuball(req.url, "([?&])(utm_[a-z]+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|yclid|_ga|_gl)=[^&]*", "\1");
        set req.url = regsuball(req.url, "&&+", "&");
        set req.url = regsub(req.url, "\?&", "?");
        set req.url = regsub(req.url, "[?&]$", "");
    }
    # nginx compresses for the reader (gzip or brotli); pages are kept uncompressed, once.
    unset req.http.Accept-Encoding;
    # No stale copy while gunicorn answers (the backend counts as healthy unless a probe says otherwise): a
    # page's s-maxage ends at the next scheduled publication, and a stale copy served while a fresh one is
    # fetched would show the site as it was before that minute. Readers asking for an expired page at once
    # wait for one fetch together (varnishd's waiting list), the application answering from its own cache.
    if (std.healthy(req.backend_hint)) {
        set req.grace = 0s;
    }
    return (hash);
}

sub vcl_backend_fetch {
    unset bereq.http.Accept-Encoding;
}

sub vcl_backend_response {
    if (bereq.uncacheable) {
        return (deliver);
    }
    # Kept only when the application says it is a public page: tags and a shared lifetime.
    if (!beresp.http.Surrogate-Key || beresp.http.Cache-Control !~ "s-maxage=" || beresp.http.Set-Cookie
            || beresp.status != 200) {
        # Remembered for a while as "fetch, do not keep" (hit-for-miss): readers of such an address are not
        # queued behind each other's fetch, and the next answer, if it is a public page, is kept again.
        set beresp.uncacheable = true;
        set beresp.ttl = 120s;
        return (deliver);
    }
    # The ttl comes from s-maxage, the grace from stale-while-revalidate (0 when absent): varnishd reads both.
    if (beresp.http.Cache-Control !~ "stale-while-revalidate=") {
        # The page ends at a publication or at midnight. s-maxage counts whole seconds from when the page was
        # made, and varnishd counts from when it got the answer, a moment later: a second less keeps the copy
        # from outliving that minute.
        set beresp.grace = 0s;
        if (beresp.ttl > 1s) {
            set beresp.ttl = beresp.ttl - 1s;
        } else {
            # Its last second: fetched for each reader (hit-for-miss), never kept past that minute.
            set beresp.uncacheable = true;
            set beresp.ttl = 1s;
        }
    }
    set beresp.keep = 0s;
    return (deliver);
}

sub vcl_backend_error {
    # gunicorn is down or did not answer in time: the maintenance page, as nginx gives it when it cannot reach
    # varnishd (same status, headers and file), answered here because nginx passes an upstream's answers
    # through untouched (the application's own 503 page, its database unreachable, must reach readers as it is).
    set beresp.status = 503;
    set beresp.reason = "Service Unavailable";
    set beresp.http.Content-Type = "text/html; charset=utf-8";
    set beresp.http.Retry-After = "300";
    set beresp.http.Cache-Control = "no-store";
    set beresp.http.Content-Security-Policy = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'";
    set beresp.http.X-Content-Type-Options = "nosniff";
    set beresp.ttl = 0s;
    set beresp.grace = 0s;
    set beresp.uncacheable = true;
    synthetic(std.fileread("/srv/cso_press/app/deploy/nginx/maintenance.html"));
    return (deliver);
}

sub vcl_deliver {
    # Readers see whether the shared cache answered (and how many times this copy was served).
    if (obj.uncacheable) {
        set resp.http.X-Cache = "PASS";
    } else if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
    unset resp.http.Via;
    unset resp.http.X-Varnish;
    # A kept page holds the id of the request that fetched it; the reader gets the id of their own request
    # (nginx's, the one in its access log), as the application would answer it.
    if (req.http.X-Request-ID) {
        set resp.http.X-Request-ID = req.http.X-Request-ID;
    } else {
        unset resp.http.X-Request-ID;
    }
}
