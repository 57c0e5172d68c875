package io.mayaningest.operator;

/** The login form a browser gets (with 401) on any page it may not see yet. No script, no outside resources. */
final class LoginPage {

    private LoginPage() {
    }

    static String html(String message) {
        String note = message == null ? "" : "<p class=\"err\" role=\"alert\">" + escape(message) + "</p>";
        return """
                <!doctype html>
                <html lang="en"><head><meta charset="utf-8">
                <meta name="viewport" content="width=device-width, initial-scale=1">
                <title>Mayan Ingest - sign in</title>
                <style>
                body{font-family:system-ui,sans-serif;background:#f4f5f7;margin:0;display:flex;justify-content:center}
                form{background:#fff;margin-top:10vh;padding:1.5rem 2rem;border-radius:8px;box-shadow:0 1px 4px #0002;
                width:min(22rem,90vw)}
                label{display:block;margin:.6rem 0 .2rem}input{width:100%;box-sizing:border-box;padding:.45rem}
                button{margin-top:1rem;padding:.5rem 1.2rem}.err{color:#b00020}.hint{color:#555;font-size:.9em}
                </style></head><body>
                <form method="post" action="/login" id="login">
                <h1>Mayan Ingest</h1>@NOTE@
                <label for="username">Operator user</label><input id="username" name="username" autocomplete="username">
                <label for="password">Password</label><input id="password" name="password" type="password"
                 autocomplete="current-password">
                <p class="hint">or</p>
                <label for="token">Operator token</label><input id="token" name="token" type="password">
                <button type="submit" id="sign-in">Sign in</button>
                </form></body></html>
                """.replace("@NOTE@", note);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
