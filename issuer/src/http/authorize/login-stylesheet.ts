/** The hosted pages' only styling: readable on a phone, visible focus, no external fonts. */
export const LOGIN_STYLESHEET = `*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1f23;background:#f4f5f7}
main{max-width:26rem;margin:2rem auto;padding:1.5rem;background:#fff;border-radius:8px;box-shadow:0 1px 4px rgba(0,0,0,.12)}
h1{font-size:1.4rem;margin:0 0 1rem}
label{display:block;font-weight:600;margin:1rem 0 .25rem}
input[type=text],input[type=password]{width:100%;padding:.65rem;font-size:1rem;border:1px solid #8a9099;border-radius:4px}
input[aria-invalid=true]{border-color:#b3261e}
:focus-visible{outline:3px solid #1a5fb4;outline-offset:2px}
button{margin-top:1.25rem;padding:.7rem 1.2rem;font-size:1rem;border:0;border-radius:4px;background:#1a5fb4;color:#fff;cursor:pointer;min-height:44px}
button[value=deny]{background:#5e6670;margin-left:.5rem}
[role=alert]{margin:0 0 1rem;padding:.75rem;border-left:4px solid #b3261e;background:#fdecea}
ul{padding-left:1.25rem}
h2{font-size:1.1rem;margin:1.5rem 0 .5rem}
code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;word-break:break-all}
.qr{margin:1rem 0}.qr svg{width:12rem;height:12rem}
ul.codes{columns:2;list-style:none;padding:0}
details{margin-top:1.25rem}summary{cursor:pointer}
[role=status]{margin:0 0 1rem;padding:.75rem;border-left:4px solid #1a7f37;background:#e6f4ea}
[hidden]{display:none!important}
@media (max-width:30rem){main{margin:0;border-radius:0;min-height:100vh}}
`
