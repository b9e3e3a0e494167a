"""Notifications: alerts, escalations and customer e-mails delivered through configured channels.

One outbox for every feature that tells someone something (the reputation watch, case SLAs,
survey invitations, idea credits): ``Notifier(store, config).send(Message(...))``. Channels are
configured in the workspace's ``notify.yaml`` (webhooks in Slack, Teams or generic JSON; SMTP),
and more channel types plug in through the entry point group ``escucha.alert_channels``.
"""

from escucha.notify.channels import (
    CHANNELS,
    Channel,
    DeliveryError,
    SmtpChannel,
    WebhookChannel,
    make_channel,
)
from escucha.notify.config import NotifyConfig
from escucha.notify.message import SEVERITIES, Message
from escucha.notify.outbox import DELIVERIES, FlushReport, Notifier, delivery_id
from escucha.notify.worker import RetryLoop

__all__ = [
    "CHANNELS",
    "DELIVERIES",
    "SEVERITIES",
    "Channel",
    "DeliveryError",
    "FlushReport",
    "Message",
    "Notifier",
    "NotifyConfig",
    "RetryLoop",
    "SmtpChannel",
    "WebhookChannel",
    "delivery_id",
    "make_channel",
]
