//! `einsum` and the contraction it lowers to: diagonals for repeated labels, early sums,
//! then operand pairs as a matmul (float, both sides keep dims) or a fused multiply and sum.

use super::Tensor;
use crate::error::bad_argument;
use crate::op::BinaryOp;
use crate::{scoped, DType, Error, Result, Shape};
use smallvec::SmallVec;

/// A subscript: a letter's code, or [`ELLIPSIS`]` + i` for the `i`-th dim an ellipsis stands
/// for (right-aligned over the operands, as broadcasting aligns them).
pub(super) type Label = u32;

/// The first label of the dims an ellipsis stands for (past every `char`).
const ELLIPSIS: Label = 0x11_0000;

/// An operand with one label per dim.
pub(super) struct Term {
    pub(super) t: Tensor,
    pub(super) labels: Vec<Label>,
}

impl Term {
    fn size(&self, l: Label) -> Option<usize> {
        self.labels.iter().position(|&x| x == l).map(|i| self.t.dims()[i])
    }

    /// Sums out the labels `keep` rejects.
    fn sum_out(self, keep: impl Fn(Label) -> bool) -> Result<Term> {
        let gone: Vec<isize> = (0..self.labels.len()).filter(|&i| !keep(self.labels[i])).map(|i| i as isize).collect();
        if gone.is_empty() {
            return Ok(self);
        }
        let labels = self.labels.iter().copied().filter(|&l| keep(l)).collect();
        Ok(Term { t: self.t.sum(Some(&gone), false)?, labels })
    }

    /// Takes the diagonal of every label that repeats (`ii` -> `i`), sizes checked.
    fn diagonals(mut self, op: &'static str) -> Result<Term> {
        while let Some((p, q)) = first_repeat(&self.labels) {
            let (a, b) = (self.t.dims()[p], self.t.dims()[q]);
            if a != b {
                return Err(bad_argument(
                    op,
                    format!("subscript {} is repeated with sizes {a} and {b}", label_name(self.labels[p])),
                ));
            }
            let l = self.labels[p];
            self.t = self.t.diagonal(0, p as isize, q as isize)?;
            self.labels.retain(|&x| x != l);
            self.labels.push(l);
        }
        Ok(self)
    }

    /// The tensor with its dims in `order` (labels it lacks become size-1 dims).
    fn aligned(&self, order: &[Label]) -> Result<Tensor> {
        let perm: Vec<isize> =
            order.iter().filter_map(|l| self.labels.iter().position(|x| x == l)).map(|i| i as isize).collect();
        let p = self.t.permute(&perm)?;
        let dims: SmallVec<[usize; 6]> = order.iter().map(|&l| self.size(l).unwrap_or(1)).collect();
        p.reshape_to(Shape(dims))
    }
}

fn first_repeat(labels: &[Label]) -> Option<(usize, usize)> {
    (0..labels.len()).find_map(|p| labels[p + 1..].iter().position(|&x| x == labels[p]).map(|q| (p, p + 1 + q)))
}

fn label_name(l: Label) -> String {
    if l >= ELLIPSIS {
        "...".into()
    } else {
        char::from_u32(l).map(String::from).unwrap_or_default()
    }
}

/// One term of an equation: its letters, and where its ellipsis stands (if it has one).
fn parse_term(op: &'static str, s: &str) -> Result<(Vec<Label>, Option<usize>)> {
    let mut labels = Vec::new();
    let mut ellipsis = None;
    let mut rest = s;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("...") {
            if ellipsis.is_some() {
                return Err(bad_argument(op, format!("more than one ellipsis in {s:?}")));
            }
            ellipsis = Some(labels.len());
            rest = r;
            continue;
        }
        let c = rest.chars().next().expect("not empty");
        if !c.is_ascii_alphabetic() {
            return Err(bad_argument(op, format!("invalid subscript {c:?} in {s:?}: subscripts are letters a-z, A-Z")));
        }
        labels.push(c as Label);
        rest = &rest[1..];
    }
    Ok((labels, ellipsis))
}

/// The product of two terms, summing the labels that `keep` rejects and both hold: a batched
/// matmul when the dtype is a float and each side keeps more than one element per batch,
/// otherwise a broadcast multiply and a sum over the contracted dims (one fused kernel).
fn pair(op: &'static str, a: Term, b: Term, keep: &dyn Fn(Label) -> bool) -> Result<Term> {
    let a = {
        let bl = b.labels.clone();
        a.sum_out(|l| keep(l) || bl.contains(&l))?
    };
    let b = {
        let al = a.labels.clone();
        b.sum_out(|l| keep(l) || al.contains(&l))?
    };
    let both = |l: &Label| a.labels.contains(l) && b.labels.contains(l);
    let batch: Vec<Label> = a.labels.iter().copied().filter(|l| both(l) && keep(*l)).collect();
    let con: Vec<Label> = a.labels.iter().copied().filter(|l| both(l) && !keep(*l)).collect();
    let ao: Vec<Label> = a.labels.iter().copied().filter(|l| !both(l)).collect();
    let bo: Vec<Label> = b.labels.iter().copied().filter(|l| !both(l)).collect();
    for &l in batch.iter().chain(&con) {
        let (x, y) = (a.size(l).unwrap(), b.size(l).unwrap());
        if x != y && x != 1 && y != 1 {
            return Err(bad_argument(
                op,
                format!("subscript {} has sizes {x} and {y}, which do not broadcast", label_name(l)),
            ));
        }
    }
    let prod = |t: &Term, ls: &[Label]| ls.iter().map(|&l| t.size(l).unwrap()).product::<usize>();
    let (m, n, k) = (
        prod(&a, &ao),
        prod(&b, &bo),
        con.iter().map(|&l| a.size(l).unwrap().max(b.size(l).unwrap())).product::<usize>(),
    );
    let labels: Vec<Label> = batch.iter().chain(&ao).chain(&bo).copied().collect();
    let out_dims = |bsz: &mut dyn Iterator<Item = usize>| -> Shape {
        Shape(bsz.chain(ao.iter().map(|&l| a.size(l).unwrap())).chain(bo.iter().map(|&l| b.size(l).unwrap())).collect())
    };
    let same_con = con.iter().all(|&l| a.size(l) == b.size(l));
    if a.t.dtype().is_float() && m > 1 && n > 1 && k > 0 && same_con {
        let order_a: Vec<Label> = batch.iter().chain(&ao).chain(&con).copied().collect();
        let order_b: Vec<Label> = batch.iter().chain(&con).chain(&bo).copied().collect();
        let bdims = |t: &Term| batch.iter().map(|&l| t.size(l).unwrap()).collect::<SmallVec<[usize; 6]>>();
        let mut da = bdims(&a);
        da.extend([m, k]);
        let mut db = bdims(&b);
        db.extend([k, n]);
        let ma = a.aligned(&order_a)?.reshape_to(Shape(da))?;
        let mb = b.aligned(&order_b)?.reshape_to(Shape(db))?;
        let mm = ma.matmul(&mb)?;
        let bsz: Vec<usize> = mm.dims()[..batch.len()].to_vec();
        let t = mm.reshape_to(out_dims(&mut bsz.into_iter()))?;
        return Ok(Term { t, labels });
    }
    let order: Vec<Label> = labels.iter().chain(&con).copied().collect();
    let p = a.aligned(&order)?.binary(BinaryOp::Mul, &b.aligned(&order)?)?;
    let t = if con.is_empty() {
        p
    } else {
        let dims: Vec<isize> = (labels.len()..order.len()).map(|i| i as isize).collect();
        p.sum(Some(&dims), false)?
    };
    Ok(Term { t, labels })
}

/// Multiplies `terms` and sums every label not in `output`, giving dims in `output`'s order:
/// the core of `einsum`, `tensordot` and the matrix products. Operands are promoted to one
/// dtype (bools compute in int64) and the result has it.
pub(super) fn contract(op: &'static str, terms: Vec<Term>, output: &[Label]) -> Result<Tensor> {
    let dtype = terms.iter().map(|t| t.t.dtype()).reduce(DType::promote).expect("at least one operand");
    let work = if dtype == DType::Bool { DType::I64 } else { dtype };
    let mut terms: Vec<Term> = terms
        .into_iter()
        .map(|t| Term { t: t.t.cast(work)?, labels: t.labels }.diagonals(op))
        .collect::<Result<_>>()?;
    // Sizes agree label by label (or broadcast from 1).
    for (i, t) in terms.iter().enumerate() {
        for (j, &l) in t.labels.iter().enumerate() {
            for u in &terms[..i] {
                if let Some(s) = u.size(l) {
                    let x = t.t.dims()[j];
                    if s != x && s != 1 && x != 1 {
                        return Err(bad_argument(
                            op,
                            format!("subscript {} has size {x} for operand {i} but size {s} before", label_name(l)),
                        ));
                    }
                }
            }
        }
    }
    // A label is summed as soon as no later operand and not the output holds it.
    let later = |from: usize, terms: &[Term], l: Label| {
        output.contains(&l) || terms[from..].iter().any(|t| t.labels.contains(&l))
    };
    let first = terms.remove(0);
    let mut acc = first.sum_out(|l| later(0, &terms, l))?;
    let mut rest = terms;
    while !rest.is_empty() {
        let b = rest.remove(0);
        let keep = |l: Label| later(0, &rest, l);
        acc = pair(op, acc, b, &keep)?;
    }
    // Output labels the operands broadcast (size-1 everywhere) are there; order them.
    let perm: Vec<isize> = output
        .iter()
        .map(|l| acc.labels.iter().position(|x| x == l).map(|i| i as isize))
        .collect::<Option<_>>()
        .ok_or_else(|| Error::Internal(format!("{op}: an output label was lost")))?;
    acc.t.permute(&perm)?.cast(dtype)
}

impl Tensor {
    /// Einstein summation over `operands` (PyTorch's `einsum`): `equation` names each dim of
    /// each operand with a letter (`...` for broadcast dims), optionally followed by `->` and
    /// the output's letters (implicitly: the letters used once, sorted, after the ellipsis
    /// dims). A letter repeated in one operand takes its diagonal; letters missing from the
    /// output are summed. Pairs of operands become a matmul when both keep dims (`bij,bjk->bik`),
    /// otherwise a multiply fused with its sum (`ij,ij->i` is one kernel).
    pub fn einsum(equation: &str, operands: &[Tensor]) -> Result<Tensor> {
        const OP: &str = "einsum";
        scoped(OP, || {
            let eq: String = equation.chars().filter(|c| !c.is_whitespace()).collect();
            let (lhs, rhs) = match eq.split_once("->") {
                Some((l, r)) => (l, Some(r)),
                None => (eq.as_str(), None),
            };
            let specs: Vec<&str> = lhs.split(',').collect();
            if specs.len() != operands.len() {
                return Err(bad_argument(
                    OP,
                    format!("the equation has {} operand(s) but {} were given", specs.len(), operands.len()),
                ));
            }
            let parsed: Vec<_> = specs.iter().map(|s| parse_term(OP, s)).collect::<Result<_>>()?;
            let mut ell_max = 0;
            for ((letters, ell), t) in parsed.iter().zip(operands) {
                let nd = t.ndim();
                match ell {
                    None if letters.len() != nd => {
                        return Err(bad_argument(
                            OP,
                            format!("{} subscripts for an operand of shape {}", letters.len(), t.shape()),
                        ))
                    }
                    Some(_) if letters.len() > nd => {
                        return Err(bad_argument(
                            OP,
                            format!("{} subscripts for an operand of shape {}", letters.len(), t.shape()),
                        ))
                    }
                    Some(_) => ell_max = ell_max.max(nd - letters.len()),
                    None => {}
                }
            }
            let terms: Vec<Term> = parsed
                .iter()
                .zip(operands)
                .map(|((letters, ell), t)| {
                    let mut labels = letters.clone();
                    if let Some(at) = *ell {
                        let e = t.ndim() - letters.len();
                        let dots = (ell_max - e..ell_max).map(|i| ELLIPSIS + i as Label);
                        labels.splice(at..at, dots);
                    }
                    Term { t: t.clone(), labels }
                })
                .collect();
            let output: Vec<Label> = match rhs {
                Some(r) => {
                    let (letters, ell) = parse_term(OP, r)?;
                    let mut out = letters.clone();
                    if let Some(at) = ell {
                        out.splice(at..at, (0..ell_max).map(|i| ELLIPSIS + i as Label));
                    }
                    if let Some((p, _)) = first_repeat(&out) {
                        return Err(bad_argument(
                            OP,
                            format!("output subscript {} appears more than once", label_name(out[p])),
                        ));
                    }
                    if let Some(&l) = letters.iter().find(|l| !terms.iter().any(|t| t.labels.contains(l))) {
                        return Err(bad_argument(
                            OP,
                            format!("output subscript {} does not appear in the inputs", label_name(l)),
                        ));
                    }
                    out
                }
                None => {
                    let mut once: Vec<Label> = terms
                        .iter()
                        .flat_map(|t| t.labels.iter().copied())
                        .filter(|&l| l < ELLIPSIS)
                        .filter(|&l| {
                            terms.iter().map(|t| t.labels.iter().filter(|&&x| x == l).count()).sum::<usize>() == 1
                        })
                        .collect();
                    once.sort_unstable();
                    (0..ell_max).map(|i| ELLIPSIS + i as Label).chain(once).collect()
                }
            };
            if operands.is_empty() {
                return Err(bad_argument(OP, "needs at least one operand"));
            }
            contract(OP, terms, &output)
        })
    }
}
