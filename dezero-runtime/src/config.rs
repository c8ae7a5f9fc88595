//! The thread-local backprop switch (`Config.enable_backprop` in DeZero) and its scope guards.
//!
//! With backprop enabled (the default), applying a [`Function`](crate::Function) records a node
//! in the graph. With it disabled, outputs have no creator and inputs are not retained, so no
//! graph is kept: use it for inference or for code that only needs values.

use std::cell::Cell;

thread_local! {
    static ENABLE_BACKPROP: Cell<bool> = const { Cell::new(true) };
}

/// The runtime's settings for the current thread.
///
/// ```
/// use dezero_runtime::{using_config, Config};
/// let _guard = using_config(Config { enable_backprop: false });
/// assert!(!Config::current().enable_backprop);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// Whether applying a function records the graph needed by `backward`.
    pub enable_backprop: bool,
}

impl Default for Config {
    /// The default: backprop enabled.
    fn default() -> Self {
        Config {
            enable_backprop: true,
        }
    }
}

impl Config {
    /// The settings in force on this thread now.
    ///
    /// ```
    /// assert!(dezero_runtime::Config::current().enable_backprop);
    /// ```
    pub fn current() -> Config {
        Config {
            enable_backprop: is_backprop_enabled(),
        }
    }

    fn install(self) {
        ENABLE_BACKPROP.with(|c| c.set(self.enable_backprop));
    }
}

/// Whether the graph is being recorded on this thread.
///
/// ```
/// assert!(dezero_runtime::is_backprop_enabled());
/// let _g = dezero_runtime::no_grad();
/// assert!(!dezero_runtime::is_backprop_enabled());
/// ```
#[inline]
pub fn is_backprop_enabled() -> bool {
    ENABLE_BACKPROP.with(|c| c.get())
}

/// Restores the previous [`Config`] when dropped. Made by [`using_config`] and [`no_grad`].
///
/// Guards nest: each restores exactly what was in force when it was made. Keep it in a named
/// binding (`let _guard = ...`): `let _ = ...` drops it at once.
#[must_use = "the config is restored as soon as the guard is dropped"]
#[derive(Debug)]
pub struct ConfigGuard {
    previous: Config,
}

impl Drop for ConfigGuard {
    fn drop(&mut self) {
        self.previous.install();
    }
}

/// Sets `config` on this thread until the returned guard is dropped (DeZero's `using_config`).
///
/// ```
/// use dezero_runtime::{is_backprop_enabled, using_config, Config};
/// {
///     let _guard = using_config(Config { enable_backprop: false });
///     assert!(!is_backprop_enabled());
/// }
/// assert!(is_backprop_enabled());
/// ```
pub fn using_config(config: Config) -> ConfigGuard {
    let previous = Config::current();
    config.install();
    ConfigGuard { previous }
}

/// Disables backprop until the returned guard is dropped: no graph is recorded.
///
/// ```
/// use dezero_runtime::{functions::square, no_grad, Variable};
/// let x = Variable::from(3.0);
/// let y = {
///     let _guard = no_grad();
///     square(&x)
/// };
/// assert_eq!(y.item(), 9.0);
/// assert!(y.creator().is_none());
/// ```
pub fn no_grad() -> ConfigGuard {
    using_config(Config {
        enable_backprop: false,
    })
}
