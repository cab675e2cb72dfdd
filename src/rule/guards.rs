//! Which `has()` tests are known true where the walk is: a test guards the reads evaluated
//! only when it holds (see [`super::PathUse::guards`]); comprehension variables shadow roots.

use cel::common::ast::operators;
use cel::common::ast::{ComprehensionExpr, Expr, IdedExpr};

use super::walk::Walker;

impl Walker<'_> {
    pub(super) fn walk_guarded(&mut self, e: &IdedExpr, facts: Vec<Vec<String>>) {
        let depth = self.guards.len();
        self.guards.extend(facts);
        self.walk(e);
        self.guards.truncate(depth);
    }

    /// The paths proved present by `has()` tests when `e` evaluates to `outcome`.
    pub(super) fn true_when(&self, e: &IdedExpr, outcome: bool) -> Vec<Vec<String>> {
        if let Some(path) = self.path_of(e) {
            return if path.presence_test && outcome {
                vec![path.segments]
            } else {
                Vec::new()
            };
        }
        let Expr::Call(call) = &e.expr else {
            return Vec::new();
        };
        match (
            call.func_name.as_str(),
            call.target.as_deref(),
            call.args.as_slice(),
        ) {
            (operators::LOGICAL_NOT, None, [inner]) => self.true_when(inner, !outcome),
            // Both sides hold (a && b true, a || b false): what either proves.
            (operators::LOGICAL_AND, None, [a, b]) if outcome => {
                let mut facts = self.true_when(a, true);
                facts.extend(self.true_when(b, true));
                facts
            }
            (operators::LOGICAL_OR, None, [a, b]) if !outcome => {
                let mut facts = self.true_when(a, false);
                facts.extend(self.true_when(b, false));
                facts
            }
            // One side or the other: what both prove.
            (operators::LOGICAL_AND | operators::LOGICAL_OR, None, [a, b]) => {
                let other = self.true_when(b, outcome);
                self.true_when(a, outcome)
                    .into_iter()
                    .filter(|f| other.contains(f))
                    .collect()
            }
            _ => Vec::new(),
        }
    }

    pub(super) fn walk_comprehension(&mut self, comp: &ComprehensionExpr) {
        self.walk(&comp.iter_range);
        self.walk(&comp.accu_init);
        let depth = self.bound.len();
        self.bound.push(comp.iter_var.clone());
        if let Some(var) = &comp.iter_var2 {
            self.bound.push(var.clone());
        }
        self.bound.push(comp.accu_var.clone());
        self.walk(&comp.loop_cond);
        self.walk(&comp.loop_step);
        self.walk(&comp.result);
        self.bound.truncate(depth);
    }
}
