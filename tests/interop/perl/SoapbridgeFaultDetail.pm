# The SOAP 1.1 fault's <detail> as the gateway fills it: one cn:GatewayFault.
#
# SOAP::WSDL 3.004 types a fault's detail as a string (its generated typemap says 'Fault/detail' =>
# Builtin::string), not as the WSDL's fault element, so a detail with an element in it cannot be read.
# client.pl maps 'Fault/detail' to this class, the manual's way for what the generator leaves out.
package SoapbridgeFaultDetail;
use strict;
use warnings;
use Class::Std::Fast::Storable constructor => 'none';
use base qw(SOAP::WSDL::XSD::Typelib::ComplexType);

my %GatewayFault_of :ATTR(:get<GatewayFault>);

__PACKAGE__->_factory(
    [qw(GatewayFault)],
    { GatewayFault => \%GatewayFault_of },
    { GatewayFault => 'MyElements::GatewayFault' },
);

1;
