"""Every way a draft can fail ends in one clear message, keeps nothing as a draft, and never
costs a credit the provider did not use; the plan's AI credits are enforced before any call."""

from __future__ import annotations

from assistant.models import AIGeneration, AIUsage
from billing.models import Plan
from billing.plans import seed_plans
from tests.assistant.conftest import events, url


def draft(ai_client) -> tuple[str, dict]:
    return events(ai_client.post(url("ai_caption"), {"brief": "Summer menu launch"}))[-1]


def requests_used(workspace) -> int:
    usage = AIUsage.objects.filter(workspace=workspace).first()
    return usage.requests if usage else 0


def test_without_a_key_it_says_what_to_set_and_calls_nothing(ai_client, settings, sent):
    settings.OPENAI_API_KEY = ""

    name, data = draft(ai_client)

    assert name == "error"
    assert "not configured" in data["message"]
    assert "OPENAI_API_KEY" in data["message"]
    assert sent() == []
    page = ai_client.get(url("post_new")).content.decode()
    assert "AI drafts are not configured" in page
    assert "set OPENAI_API_KEY" in page


def test_a_refused_key_is_explained_and_the_credit_given_back(ai_client, workspace, ai_fault):
    ai_fault("auth")

    name, data = draft(ai_client)

    assert name == "error"
    assert "refused Mixora's API key" in data["message"]
    assert "OPENAI_API_KEY" in data["message"]
    assert not AIGeneration.objects.exists()
    assert requests_used(workspace) == 0


def test_a_rate_limit_says_when_to_try_again_without_waiting(ai_client, ai_fault, sent):
    ai_fault("rate_limit", retry_after=17)

    name, data = draft(ai_client)

    assert name == "error"
    assert "try again in 17 s" in data["message"]
    assert len(sent()) == 1  # not retried: the person is told instead
    assert not AIGeneration.objects.exists()


def test_a_server_error_is_retried_once(ai_client, ai_fault, sent):
    ai_fault("server")

    name, _ = draft(ai_client)

    assert name == "done"
    assert len(sent()) == 2


def test_server_errors_twice_end_in_a_message(ai_client, workspace, ai_fault, sent):
    ai_fault("server", count=2)

    name, data = draft(ai_client)

    assert name == "error"
    assert "had an error" in data["message"]
    assert len(sent()) == 2
    assert requests_used(workspace) == 0


def test_a_timeout_is_explained(ai_client, settings, ai_fault):
    settings.OPENAI_TIMEOUT = 1
    ai_fault("slow", delay=2)

    name, data = draft(ai_client)

    assert name == "error"
    assert "did not answer within 1 seconds" in data["message"]
    assert not AIGeneration.objects.exists()


def test_a_refusal_shows_the_models_words_and_keeps_nothing(ai_client, workspace):
    streamed = events(ai_client.post(url("ai_caption"), {"brief": "Counterfeit watches sale"}))

    assert streamed[-1][0] == "error"
    assert streamed[-1][1]["message"] == (
        "The AI declined: I'm sorry, but I can't help with that request."
    )
    assert not [name for name, _ in streamed if name == "delta"]
    assert not AIGeneration.objects.exists()
    assert requests_used(workspace) == 1  # the provider did answer


def test_used_up_credits_refuse_with_an_upgrade_link_and_call_nothing(ai_client, workspace, sent):
    seed_plans(with_stripe=False)
    Plan.objects.filter(code="free").update(ai_credits_month=2)

    assert draft(ai_client)[0] == "done"
    assert draft(ai_client)[0] == "done"
    name, data = draft(ai_client)

    assert name == "error"
    assert "includes 2 AI drafts this month and 2 are in use" in data["message"]
    assert data["upgrade_url"]
    assert len(sent()) == 2
    assert requests_used(workspace) == 2
