// Package notify posts webhook notifications: a backup failed, a restore drill failed, or a job
// recovered after failing.
//
// A notification is one JSON POST, retried with exponential backoff on network errors, 429 and
// 5xx answers, each attempt bounded by a timeout. With the "slack" format the body is Slack's
// {"text": ...}, which Slack, Mattermost and Rocket.Chat incoming webhooks accept. The bearer
// token and the webhook URL's path and query (Slack webhooks carry their secret there) never
// appear in logs or errors: both name the target as scheme://host only.
package notify
