from browserkit import login
def test_debug(browser, live_server, demo_ref):
    ctx = browser.new_context(base_url=live_server.url, viewport={"width": 375, "height": 812})
    p = ctx.new_page()
    login(p, "laerer")
    for path in ["/handbok/", f"/saker/{demo_ref('laerer', level=2)}/plan"]:
        p.goto(path)
        print(path, p.evaluate("""() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 376).slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right) + ' ' + (e.textContent||'').slice(0,40))"""))
