//! Per-address rate limits for the endpoints that anyone can call without logging in.

use std::net::IpAddr;
use std::num::NonZeroU32;

use governor::clock::{Clock, DefaultClock, QuantaInstant};
use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, NotUntil, Quota, RateLimiter};

use crate::error::ApiError;

pub struct RateLimits {
    login: DefaultKeyedRateLimiter<IpAddr>,
    public: DefaultKeyedRateLimiter<IpAddr>,
    submit: DefaultKeyedRateLimiter<IpAddr>,
    /// All portal submissions together: bounds the work a flood from many addresses can cause.
    portal: DefaultDirectRateLimiter,
}

/// Portal submissions taken per second from everyone together (a large city receives a few
/// thousand online petitions a day); a burst of twice that is absorbed.
pub const PORTAL_PER_SECOND: u32 = 20;

impl Default for RateLimits {
    fn default() -> Self {
        RateLimits::new(30, 120).with_submissions(10)
    }
}

impl RateLimits {
    /// `login_per_min` login attempts and `public_per_min` public look-ups per address and minute.
    pub fn new(login_per_min: u32, public_per_min: u32) -> Self {
        let quota = |n: u32| Quota::per_minute(NonZeroU32::new(n.max(1)).expect("non-zero"));
        RateLimits {
            login: RateLimiter::keyed(quota(login_per_min)),
            public: RateLimiter::keyed(quota(public_per_min)),
            submit: RateLimiter::keyed(quota(10)),
            portal: portal_limiter(PORTAL_PER_SECOND),
        }
    }

    /// Portal submissions per second from all addresses together.
    pub fn with_portal_rate(mut self, per_second: u32) -> Self {
        self.portal = portal_limiter(per_second);
        self
    }

    /// `per_hour` petitions submitted through the portal per address and hour.
    pub fn with_submissions(mut self, per_hour: u32) -> Self {
        self.submit = RateLimiter::keyed(Quota::per_hour(
            NonZeroU32::new(per_hour.max(1)).expect("non-zero"),
        ));
        self
    }

    pub fn check_submit(&self, ip: IpAddr) -> Result<(), ApiError> {
        self.submit
            .check_key(&ip)
            .map_err(|n| too_many("提交过于频繁，请一小时后再试", &n))?;
        self.portal.check().map_err(|n| {
            ApiError::new(
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                "busy",
                "当前提交人数较多，请稍后再试",
            )
            .retry_after(wait_seconds(&n))
        })
    }

    pub fn check_login(&self, ip: IpAddr) -> Result<(), ApiError> {
        self.login
            .check_key(&ip)
            .map_err(|n| too_many("登录尝试过于频繁，请一分钟后再试", &n))
    }

    pub fn check_public(&self, ip: IpAddr) -> Result<(), ApiError> {
        self.public
            .check_key(&ip)
            .map_err(|n| too_many("查询过于频繁，请稍后再试", &n))
    }
}

fn too_many(message: &str, n: &NotUntil<QuantaInstant>) -> ApiError {
    ApiError::new(
        axum::http::StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
        message,
    )
    .retry_after(wait_seconds(n))
}

/// Whole seconds until the limiter lets the next request through (at least one).
fn wait_seconds(n: &NotUntil<QuantaInstant>) -> u64 {
    n.wait_time_from(DefaultClock::default().now())
        .as_secs_f64()
        .ceil() as u64
}

fn portal_limiter(per_second: u32) -> DefaultDirectRateLimiter {
    let n = NonZeroU32::new(per_second.max(1)).expect("non-zero");
    RateLimiter::direct(
        Quota::per_second(n).allow_burst(n.saturating_mul(NonZeroU32::new(2).expect("two"))),
    )
}
