import pytest

pytestmark = pytest.mark.django_db


def test_smoke(client, feldberg):
    r = client.get("/n/feldberg/assistent/")
    print(r.status_code, r.content.decode()[:300])
    assert r.status_code == 200
    r = client.post(
        "/n/feldberg/assistent/", {"nachricht": "Wir suchen einen Azubi <script>alert(1)</script>"}
    )
    page = r.content.decode()
    print(r.status_code)
    assert r.status_code == 200, page[-3000:]
    assert "&lt;script&gt;" in page
    r = client.get("/n/feldberg/angebote/")
    assert 'id="assistant-dock"' in r.content.decode()
