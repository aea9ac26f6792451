"""The Webhooks fields a Page subscription (`POST /{page-id}/subscribed_apps`) may name, and
the Instagram fields a Page installation turns on for its linked Instagram account."""

from __future__ import annotations

# The `subscribed_fields` enum of Page.create_subscribed_app (facebook-python-business-sdk
# @94914f9 facebook_business/adobjects/page.py, class Page.SubscribedFields).
_PAGE_FIELD_NAMES = """
    affiliation agent_messages agent_questions attire awards bio birthday business_integrity
    call_permission_reply call_settings_update calls category checkins comment_poll_response
    company_overview conversations culinary_team current_location description email
    feature_access_list feed follow founded general_info general_manager group_feed hometown
    hours inbox_labels invalid_topic_placeholder invoice_access_bank_slip_events
    invoice_access_invoice_change invoice_access_invoice_draft_change
    invoice_access_onboarding_status_active leadgen leadgen_fat leadgen_update live_videos
    local_delivery location marketing_message_clicks marketing_message_deliveries
    marketing_message_delivery_failed marketing_message_echoes marketing_message_reads
    marketing_messages_subscriber_upload_status mcom_invoice_change members mention
    merchant_review message_context message_deliveries message_echoes message_edits
    message_mention message_reactions message_reads message_template_status_update messages
    messaging_account_linking messaging_appointments messaging_checkout_updates
    messaging_customer_information messaging_direct_sends messaging_fblogin_account_linking
    messaging_feedback messaging_game_plays messaging_handovers
    messaging_in_thread_lead_form_submit messaging_integrity messaging_optins
    messaging_optouts messaging_payments messaging_policy_enforcement messaging_postbacks
    messaging_pre_checkouts messaging_referrals mission name page_about_story
    page_change_proposal page_upcoming_change parking payment_options payment_request_update
    personal_info personal_interests phone picture price_range product_review products
    public_transit publisher_subscriptions ratings registration response_feedback send_cart
    standby story_poll_response story_share user_action video_text_question_responses videos
    website
"""
PAGE_FIELDS = frozenset(_PAGE_FIELD_NAMES.split())

# Messenger fields need pages_messaging besides pages_manage_metadata
# (developers.facebook.com/documentation/pages-api/webhooks-for-pages, Messenger webhooks).
MESSAGING_FIELDS = frozenset(
    name
    for name in PAGE_FIELDS
    if name.startswith(("message", "messaging_")) or name in ("standby", "inbox_labels")
)

# Instagram webhook fields (Facebook Login): an account gets every app-level field once its
# linked Page installed the app with any field; fields cannot be chosen per account
# (developers.facebook.com/docs/messenger-platform/instagram/features/webhook; webhooks/setup).
INSTAGRAM_FIELDS = (
    "comments",
    "live_comments",
    "mentions",
    "message_reactions",
    "messages",
    "messaging_postbacks",
    "messaging_referral",
    "messaging_seen",
    "story_insights",
)

# App-level objects `POST /{app-id}/subscriptions` accepts, with their fields
# (developers.facebook.com/docs/graph-api/reference/app/subscriptions). Instagram messaging
# fields are set in the App Dashboard only: "configuration via the App Subscriptions edge is
# not supported" (developers.facebook.com/docs/messenger-platform/instagram/features/webhook).
APP_OBJECTS = {
    "page": PAGE_FIELDS,
    "instagram": frozenset(f for f in INSTAGRAM_FIELDS if not f.startswith("messag")),
}
