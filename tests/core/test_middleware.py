"""NUL characters never reach a view (PostgreSQL refuses them in text)."""

from django.http import HttpResponse
from django.test import RequestFactory

from core.middleware import StripNulMiddleware


def echo(request):
    return HttpResponse(repr((request.GET.getlist("q"), request.POST.get("reason"))))


def test_nul_characters_are_dropped_from_queries_and_posted_fields():
    middleware = StripNulMiddleware(echo)
    response = middleware(RequestFactory().get("/search/?q=%E5%B1%85%00%E6%B0%91&q=a%00"))
    assert response.content.decode() == repr((["居民", "a"], None))
    response = middleware(RequestFactory().post("/x/", {"reason": "因为\x00所以"}))
    assert "因为所以" in response.content.decode()


def test_ordinary_input_is_left_as_it_is():
    middleware = StripNulMiddleware(echo)
    response = middleware(RequestFactory().get("/search/?q=%25+100"))
    assert response.content.decode() == repr((["% 100"], None))


def test_a_reference_with_a_nul_is_simply_not_found(client, db):
    assert client.get("/duty/request/abc%00def/").status_code == 404
